"""lic serve: an OpenAI-compatible chat endpoint for a trained model, its scope gate applied."""

from __future__ import annotations

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._options import project_option


@click.command("serve")
@click.argument("model", required=False)
@click.option("--task", help="Serve this causal-lm task's active model (default: the project's only one).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free one).")
@project_option
@cli_errors
def command(model, task, host, port, project_dir):
    """Serve MODEL (a model folder or alias; default: a task's active model) over HTTP.

    POST /v1/chat/completions answers OpenAI chat requests; GET /v1/models lists the model.
    A gated folder routes each request by its newest user message: questions in the scope of
    what it was taught get the trained weights, the others the model from before the teaching
    (the response's "lic": {"scope": ...} says which). Runs until Ctrl-C.

    \b
    Examples:
      lic serve                                   # the project's causal-lm task
      lic serve models/support_qa/v3-0c1d2e3f --port 8080
      curl -s localhost:8000/v1/chat/completions -d '{"messages":[{"role":"user","content":"Hi"}]}'
    """
    from lic_cli import serve

    spec = serve.model_spec(project_dir, model, task)
    loaded = serve.GatedModel(spec)
    server = serve.make_server(loaded, host, port)
    where = f"http://{server.server_address[0]}:{server.server_address[1]}/v1"
    gate = (f"scope gate: {len(loaded.gate.scope.questions)} taught questions, fallback {loaded.gate.scope.fallback}"
            if loaded.gate is not None else "no scope gate")
    click.echo(f"serving {loaded.name} ({gate}) on {where} (Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
