"""Pages of the learners app, one module per audience: mine.py (the signed-in learner),
staff.py (registrars and centre staff), results.py (results uploads)."""
