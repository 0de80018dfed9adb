#!/usr/bin/env bash
# Build (and optionally push) the workshop image for Zero to JupyterHub with repo2docker.
#
#   deploy/image/build.sh IMAGE_NAME [--push]      e.g. registry.example.org/aiopen-workshop
#
# The image is the repository's own repo2docker configuration, the same one Binder builds:
# environment.yml (conda-forge, python =3.12, JupyterHub's single-user server) and postBuild
# (the kit installed non-editable, the model, the shared read-only weight cache, a copy of the
# exercises outside the home folder). Its tag is the commit it was built from; put both in
# deploy/z2jh/values.yaml (singleuser.image). Needs Docker and `pip install jupyter-repo2docker`.
set -euo pipefail
name="${1:?usage: deploy/image/build.sh IMAGE_NAME [--push]}"
repo="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
tag="$(git -C "$repo" rev-parse --short=12 HEAD)"
if [ -n "$(git -C "$repo" status --porcelain)" ]; then
  echo "The clone has uncommitted changes; the image would not match its tag ($tag). Commit first." >&2
  exit 1
fi
repo2docker --no-run --user-id 1000 --user-name jovyan --image-name "$name:$tag" ${2:+"$2"} "$repo"
echo "Built $name:$tag. In deploy/z2jh/values.yaml: singleuser.image.name: $name, tag: \"$tag\""
