"""chat: talk with a person, learn from what they teach, and log every turn as a transcript.

backend.py (local causal LM, streamed) and endpoint.py (OpenAI-compatible server) answer;
learn.py runs detect -> extract -> route -> locate on each user turn; related.py finds rows
a correction leaves stale; staging.py turns accepted edits into patches and versions;
retrieve.py gives the model the nearest dataset rows; session.py keeps the transcript;
repl.py is the console; start.py and run.py put them together for `lic chat`.
See docs/chat.md.
"""
