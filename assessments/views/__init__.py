"""Pages of assessments: quiz.py (the overview, taking an attempt, its result), lab.py (the
tracing lab explorer and the officer's trace), trainer.py (quiz statistics for trainers)."""
