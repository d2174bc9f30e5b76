"""Developer machine: the embedded default with DEBUG on."""

from .base import *

DEBUG = env.bool("DEBUG", default=True)
