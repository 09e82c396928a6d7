"""Fixed interview question sets, shipped as package data (read by
assistant.usecases.interview.question_bank)."""
