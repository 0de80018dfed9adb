"""``python -m aiopen.serving present|dashboard``: what ``make present`` and ``make dashboard`` run."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aiopen.serving", description="Serve the deck (RISE) or the dashboard (Voila).")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("present", help="serve the deck with RISE").add_argument("--port", type=int, default=8888)
    dashboard = sub.add_parser("dashboard", help="serve the widget dashboard and the deck with Voila (code hidden)")
    dashboard.add_argument("--port", type=int, default=8866)
    dashboard.add_argument("--host", default="127.0.0.1", help="0.0.0.0 serves the room (with a token); see docs/publishing.md")
    dashboard.add_argument("--pool", type=int, default=2, help="preheated kernels kept ready for the dashboard")
    dashboard.add_argument("--viewers", type=int, help="viewers served at once (0: no limit; default 16); see docs/publishing.md")
    args = parser.parse_args(argv)
    if args.command == "dashboard":
        from aiopen.serving.publish import serve

        return serve(args.port, args.host, args.pool, max_viewers=args.viewers)
    from aiopen.serving.present import present

    return present(args.port)


if __name__ == "__main__":
    sys.exit(main())
