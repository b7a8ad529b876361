"""Whatever a client sends, the answer is bunq's envelope — never a traceback or a bare 500."""

from __future__ import annotations

import json

from emu_client import BunqClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bunqtui.emulator.config import EmulatorConfig
from bunqtui.emulator.server import EmulatorServer

ROUTES = [
    ("POST", "/user/{u}/monetary-account-bank"),
    ("PUT", "/user/{u}/monetary-account-bank/{a}"),
    ("PUT", "/user/{u}/monetary-account-savings/{a}"),
    ("POST", "/user/{u}/monetary-account/{a}/payment"),
    ("POST", "/user/{u}/monetary-account/{a}/request-inquiry"),
    ("PUT", "/user/{u}/monetary-account/{a}/request-inquiry/{a}"),
    ("POST", "/user/{u}/oauth-client"),
    ("GET", "/user/{u}/monetary-account/{a}/payment?count={x}&older_id={x}"),
    ("GET", "/user/{u}/event?monetary_account_id={x}&status={x}"),
    ("GET", "/user/{x}/monetary-account/{x}"),
    ("POST", "/device-server"),
    ("POST", "/installation"),
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=8,
)
FIELDS = ["amount", "amount_inquired", "counterparty_alias", "description", "status", "currency"]
bodies = st.one_of(
    st.binary(max_size=60),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=4).map(
        lambda d: json.dumps(d).encode()
    ),
)


def test_random_bodies_and_params_never_crash() -> None:
    config = EmulatorConfig(seed=2, rate_limit=False, sugar_daddy_delay=0.0, demo_payments=50)
    with EmulatorServer(config=config) as server:
        client = BunqClient(server.base_url).login(server.demo_api_key)
        account = client.accounts("monetary-account-bank")[0]["id"]

        @settings(
            max_examples=150,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        )
        @given(
            route=st.sampled_from(ROUTES),
            body=bodies,
            token=st.sampled_from(["session", "installation"]),
            text=st.text(alphabet="0123456789abc-,%&=", max_size=8),
        )
        def check(route, body, token, text) -> None:
            method, template = route
            path = template.format(u=client.user_id, a=account, x=text)
            reply = client.call(method, path, raw=body, token=token, sign_body=True)
            assert reply.status != 500, (method, path, body, reply.body)
            assert reply.headers["content-type"] == "application/json"
            data = reply.json()
            assert set(data) <= {"Response", "Pagination", "Error"}
            if reply.status != 200:
                assert data["Error"][0]["error_description"]

        try:
            check()
        finally:
            client.close()
