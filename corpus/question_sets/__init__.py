"""Fixed interview question sets, shipped as package data (see assistant.interview.bank)."""
