"""The server's web face: the responsible unit's page, the public's page behind a 公示牌 and the leaders' dashboard."""
