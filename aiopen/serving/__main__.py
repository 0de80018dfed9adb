"""``python -m aiopen.serving present|dashboard|workshop``: what ``make present``, ``make dashboard``
and ``make workshop`` run; ``shared`` and ``seed`` prepare an installation and a home for a hub, ``collect`` gathers a room's work."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aiopen.serving", description="Serve the deck (RISE) or the dashboard (Voila).")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("present", help="serve the deck with RISE").add_argument("--port", type=int, default=8888)
    dashboard = sub.add_parser("dashboard", help="serve the widget dashboard and the deck with Voila (code hidden)")
    dashboard.add_argument("--port", type=int, default=8866)
    dashboard.add_argument("--host", default="127.0.0.1", help="0.0.0.0 serves the room (with a token); see docs/publishing.md")
    dashboard.add_argument("--pool", type=int, default=2, help="preheated kernels kept ready for the dashboard")
    dashboard.add_argument("--viewers", type=int, help="viewers served at once (0: no limit; default 16); see docs/publishing.md")
    workshop = sub.add_parser("workshop", help="a JupyterHub for a room: shared password, every learner's own server")
    workshop.add_argument("--port", type=int, default=8000)
    workshop.add_argument("--host", default="127.0.0.1", help="an address beyond this machine needs --trusted-room")
    workshop.add_argument("--trusted-room", action="store_true", help="serve beyond this machine: the room is one trust domain")
    workshop.add_argument("--password", help="the learners' password (default: the room's saved one, else a new one)")
    workshop.add_argument("--instructor", default="instructor", help="the admin account, which also gets the deck")
    workshop.add_argument("--folder", type=Path, help="learners' homes and the hub's state (default: workshop/ in the clone)")
    workshop.add_argument("--dry-run", type=int, default=0, metavar="N", help="N learners log in and check q1, then stop")
    shared = sub.add_parser("shared", help="build the model cache (read-only) for every user of this Python; copy a clone's material")
    shared.add_argument("--material", type=Path, help="a clone whose exercises/, dashboard/ and slides/ to copy (an image build)")
    seed = sub.add_parser("seed", help="copy the exercises (and with --instructor the deck) into a home, never overwriting")
    seed.add_argument("home", type=Path, nargs="?", default=Path.home())
    seed.add_argument("--instructor", action="store_true")
    collect = sub.add_parser("collect", help="copy every learner's exercises from a workshop's homes, for make grade-class")
    collect.add_argument("--folder", type=Path, help="the workshop's folder (default: workshop/ in the clone)")
    collect.add_argument("--out", type=Path, default=Path("submissions"))
    args = parser.parse_args(argv)
    if args.command == "collect":
        from aiopen.serving.hub.homes import collect as collect_notebooks
        from aiopen.serving.hub.settings import DEFAULT_FOLDER

        copied = collect_notebooks((args.folder or DEFAULT_FOLDER) / "homes", args.out)
        print(f"{len(copied)} notebook(s) of {len({p.parent for p in copied})} learner(s) in {args.out}; now: make grade-class DIR={args.out}")
        return 0
    if args.command == "workshop":
        from aiopen.serving.hub.launcher import run
        from aiopen.serving.hub.settings import DEFAULT_FOLDER

        return run(args.port, args.host, args.trusted_room, args.password, args.instructor, args.folder or DEFAULT_FOLDER, args.dry_run)
    if args.command == "shared":
        from aiopen.serving.hub.homes import install_shared

        for path in install_shared(args.material):
            print(f"shared: {path}")
        return 0
    if args.command == "seed":
        from aiopen.serving.hub.homes import seed_home

        added = seed_home(args.home, instructor=args.instructor)
        print(f"{len(added)} file(s) added to {args.home}")
        return 0
    if args.command == "dashboard":
        from aiopen.serving.publish import serve

        return serve(args.port, args.host, args.pool, max_viewers=args.viewers)
    from aiopen.serving.present import present

    return present(args.port)


if __name__ == "__main__":
    sys.exit(main())
