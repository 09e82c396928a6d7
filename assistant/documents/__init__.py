"""Reading documents into Sections, and cutting Sections into Chunks."""
