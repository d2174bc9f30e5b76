"""Every write of the skills app: one function per business action, each taking ``actor``."""
