"""chat: talk with a person and log every turn in the transcript format detect reads."""
