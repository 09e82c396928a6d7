"""Stage 2 interview practice: the question bank, the session state machine, the grader (with
its fact reader) and the interview service that plans, phrases and records a session."""
