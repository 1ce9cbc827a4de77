"""Putting a chat session together: backend, learning stages, live knowledge, staging.

Each model is loaded once here, for the whole session.
"""

from __future__ import annotations

from dataclasses import dataclass

from lic_cli.chat.backend import DEFAULT_SYSTEM, LocalLM, chat_model_spec
from lic_cli.chat.endpoint import EndpointLM
from lic_cli.chat.retrieve import THRESHOLD, TOP_K, Retriever
from lic_cli.chat.session import Session
from lic_cli.chat.staging import Notify, Stage
from lic_cli.errors import ProjectError
from lic_cli.tasks import Project, load_project


@dataclass
class Options:
    model: str | None = None  # alias or folder; with an endpoint, the server's model name
    endpoint: str | None = None
    system: str | None = None
    conversation: str = "chat"
    max_new_tokens: int = 128
    project_dir: str | None = None
    learn: bool = True
    knowledge: bool = True
    threshold: float = THRESHOLD
    top_k: int = TOP_K
    author: str | None = None


def find_project(project_dir: str | None) -> Project | None:
    """The project (tasks.yaml) chat learns into; none is fine for plain chat unless named."""
    try:
        return load_project(project_dir)
    except ProjectError:
        if project_dir is not None:
            raise
        return None


def start(opts: Options, *, notify: Notify) -> tuple[Session, str]:
    """(session, a note on where the model came from) ready to chat."""
    project = find_project(opts.project_dir)
    if opts.endpoint:
        backend = EndpointLM(opts.endpoint, model=opts.model, max_new_tokens=opts.max_new_tokens)
        note = "OpenAI-compatible endpoint"
    else:
        spec, note = (opts.model, "--model") if opts.model else chat_model_spec(project)
        backend = LocalLM(spec, max_new_tokens=opts.max_new_tokens)
    learner = retriever = stage = None
    if project is not None and (opts.learn or opts.knowledge):
        from lic_cli.models import load_encoder

        encoder = load_encoder("minilm")
        if opts.learn:
            from lic_cli.chat.learn import Learner
            from lic_cli.patches.run import default_author

            learner = Learner(project, encoder=encoder)
            stage = Stage(project, opts.author or default_author(), notify)
        if opts.knowledge:
            retriever = Retriever(project, encoder, threshold=opts.threshold, top_k=opts.top_k)
    session = Session(backend, conversation=opts.conversation, system=opts.system or DEFAULT_SYSTEM,
                      learner=learner, retriever=retriever, stage=stage)
    return session, note
