"""For Piccolo's own CLI (`piccolo migrations new grants --auto`): the app's configuration."""

from grants.piccolo_conf import *  # noqa: F403
