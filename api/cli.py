"""The `mindkg` command line: the root app. Each area's commands live in an
api/cli_<area>.py sub-app (see docs/ARCHITECTURE.md); this module only registers them.

Every sub-app module imports light modules only at its top (typer, rich, the standard
library; api/cli_common.py), so `mindkg --help` stays fast; heavy modules (pydantic
settings, stores, models, research code) are imported inside the commands.
"""

from __future__ import annotations

import json

import typer

from api.cli_common import handles_errors, load_cli_settings, out

app = typer.Typer(
    help="MindKG: multimodal knowledge-graph reasoning for counseling sessions. "
    "Decision support for professionals, never a diagnosis.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)


@config_app.command("config")
@handles_errors
def show_config() -> None:
    """Print the effective configuration (secrets masked)."""
    settings = load_cli_settings()
    data = json.loads(settings.model_dump_json())
    data["store_backend"] = settings.store_backend
    out.print_json(json.dumps(data))


def _register_apps() -> None:
    from api.cli_analyze import analysis_app

    app.add_typer(analysis_app)  # analyze, assess, ingest
    app.add_typer(config_app)  # config
    from api.cli_neo4j import neo4j_app

    app.add_typer(neo4j_app, name="neo4j")
    from api.cli_kg import kg_app

    app.add_typer(kg_app, name="kg")  # seed, stats, embed, polarity, polarity-train
    from api.cli_align import align_app

    app.add_typer(align_app, name="align")
    from api.cli_fusion import fusion_app

    app.add_typer(fusion_app, name="fusion")


def _register_optional_apps() -> None:
    from api.cli_server import keys_app, server_app

    app.add_typer(server_app)  # serve, worker, submit, audit, timeline, trend
    app.add_typer(keys_app, name="keys")
    from api.cli_eval import eval_app

    app.add_typer(eval_app, name="eval")
    from api.cli_trust import admin_app

    app.add_typer(admin_app, name="admin")
    from api.cli_mer import mer_app

    app.add_typer(mer_app, name="mer")
    from api.cli_speech import speech_app

    app.add_typer(speech_app, name="speech")  # speech emotion (EmoDB-trained)
    from api.cli_depression import depression_app

    app.add_typer(depression_app, name="depression")


_register_apps()
_register_optional_apps()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
