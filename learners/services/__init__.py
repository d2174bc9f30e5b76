"""Learner services, one module per subject: learners.py (records and identifiers), ledger.py
(posting and reading credit entries), results.py (results uploads). Transfer, transcripts and
data-subject requests live beside them in their own modules."""
