"""The sync client's gzip request bodies against a scripted server on 127.0.0.1: sent only after a reply said
`Accept-Encoding: gzip`, and sent plain again (and from then on) when the server or a proxy answers 415."""

from __future__ import annotations

import gzip
import json

from sync_support import Scripted, ScriptedServer

from inspector.sync.client import ProtocolClient

BODY = {"hashes": [f"{index:064x}" for index in range(100)]}


def test_bodies_go_gzip_after_the_server_says_so_and_plain_again_after_a_415(scripted: ScriptedServer) -> None:
    scripted.script = [
        Scripted(200, {"missing": []}),  # says nothing of request encodings
        Scripted(200, {"missing": []}, {"Accept-Encoding": "gzip"}),
        Scripted(200, {"missing": []}, {"Accept-Encoding": "gzip"}),
        Scripted(415, {"error": "unsupported_media_type", "message": "no gzip here"}),
        Scripted(200, {"missing": ["a" * 64]}),
        Scripted(200, {"missing": []}),
    ]
    with ProtocolClient(scripted.url) as client:
        client.post_json("/blobs/missing", BODY)
        client.post_json("/blobs/missing", BODY)
        client.post_json("/blobs/missing", BODY)
        assert client.post_json("/blobs/missing", BODY) == {"missing": ["a" * 64]}
        assert not client.gzip_requests
        client.post_json("/blobs/missing", BODY)
    sent = scripted.received
    encodings = [request["headers"].get("Content-Encoding") for request in sent]
    assert encodings == [None, None, "gzip", "gzip", None, None]
    assert json.loads(gzip.decompress(sent[2]["body"])) == BODY == json.loads(sent[4]["body"])
    assert all(request["headers"]["Accept-Encoding"] == "gzip" for request in sent)
