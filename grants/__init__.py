"""grants: a grant and project tracker for EU-funded programmes."""

import os

# Piccolo finds its engine through this module; set it before any table is imported.
os.environ.setdefault("PICCOLO_CONF", "grants.piccolo_conf")
