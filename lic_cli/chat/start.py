"""Putting a chat session together: backend, learning stages, live knowledge, staging.

Each model is loaded once here, for the whole session (and again only when `/model`
switches the backend: `open_backend`).
"""

from __future__ import annotations

from dataclasses import dataclass

from lic_cli.chat.backend import DEFAULT_MODEL, DEFAULT_SYSTEM, LocalLM, chat_model_spec
from lic_cli.chat.endpoint import EndpointLM
from lic_cli.chat.retrieve import TOP_K, Retriever
from lic_cli.chat.session import Session
from lic_cli.chat.staging import Notify, Stage
from lic_cli.errors import ModelLoadError, ProjectError
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
    threshold: float | None = None  # live knowledge: least score of a row given to the model (None: the retriever's)
    intent_threshold: float | None = None  # learning: below it a turn is uncertain (None: the detector's own)
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


def is_url(spec: str) -> bool:
    return spec.startswith(("http://", "https://"))


def open_backend(spec: str, *, project: Project | None, max_new_tokens: int,
                 server_model: str | None = None, check: bool = False):
    """(backend, note) for a model named by the person: an endpoint URL (`server_model` names the
    server's model), a task of the project with a trained causal-lm model (its active one), a
    packaged alias or a local Hugging Face folder. `check` makes an unreachable endpoint an
    error now rather than at the first reply."""
    name, sep, rest = spec.partition(":")
    if sep and not is_url(spec):  # NAME:ARG picks a chat backend by name, a plugin's included
        from lic_cli import plugins

        if name in plugins.names("chat-backend"):
            factory = plugins.get("chat-backend", name)
            return factory(rest, project=project, max_new_tokens=max_new_tokens, server_model=server_model), \
                f"backend {name}"
    if is_url(spec):
        backend = EndpointLM(spec, model=server_model, max_new_tokens=max_new_tokens)
        if check:
            backend.check()
        return backend, "OpenAI-compatible endpoint"
    if project is not None and spec in project.tasks:
        from lic_cli.models import registry

        task = project.task(spec)
        entry = registry.latest(project, spec) if task.train is not None and task.train.type == "causal-lm" else None
        if entry is None:
            raise ModelLoadError(f"task '{spec}' has no trained chat model (a causal-lm task after lic train {spec})")
        path = str(registry.model_path(project, entry))
        return LocalLM(path, max_new_tokens=max_new_tokens), f"trained on {spec} v{entry.get('dataset_version')}"
    return LocalLM(spec, max_new_tokens=max_new_tokens), "--model" if spec != DEFAULT_MODEL else "packaged"


def local_backend(spec: str, *, project: Project | None = None, max_new_tokens: int = 128,
                  server_model: str | None = None) -> LocalLM:
    """Built-in chat backend `local` (lic.chat_backends): a packaged alias or a local HF folder."""
    return LocalLM(spec or DEFAULT_MODEL, max_new_tokens=max_new_tokens)


def endpoint_backend(spec: str, *, project: Project | None = None, max_new_tokens: int = 128,
                     server_model: str | None = None) -> EndpointLM:
    """Built-in chat backend `endpoint` (lic.chat_backends): an OpenAI-compatible server URL."""
    return EndpointLM(spec, model=server_model, max_new_tokens=max_new_tokens)


def start(opts: Options, *, notify: Notify) -> tuple[Session, str]:
    """(session, a note on where the model came from) ready to chat."""
    project = find_project(opts.project_dir)
    if opts.endpoint:
        backend, note = open_backend(opts.endpoint, project=project, max_new_tokens=opts.max_new_tokens,
                                     server_model=opts.model)
    elif opts.model:
        backend, note = open_backend(opts.model, project=project, max_new_tokens=opts.max_new_tokens)
    else:
        spec, note = chat_model_spec(project)
        backend = LocalLM(spec, max_new_tokens=opts.max_new_tokens)
    learner = retriever = stage = None
    if project is not None and (opts.learn or opts.knowledge):
        from lic_cli.models import load_encoder

        encoder = load_encoder("minilm")
        if opts.learn:
            from lic_cli.chat.learn import Learner
            from lic_cli.patches.run import default_author

            learner = Learner(project, encoder=encoder, intent_threshold=opts.intent_threshold)
            stage = Stage(project, opts.author or default_author(), notify)
        if opts.knowledge:
            retriever = Retriever(project, encoder, threshold=opts.threshold, top_k=opts.top_k)
    session = Session(backend, conversation=opts.conversation, system=opts.system or DEFAULT_SYSTEM,
                      learner=learner, retriever=retriever, stage=stage)
    return session, note
