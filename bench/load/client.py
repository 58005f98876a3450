"""A minimal client of Streamlit's browser protocol: one "browser tab" without a browser.

The Streamlit frontend talks to the server over one websocket at ``/_stcore/stream`` (subprotocol
``streamlit``), exchanging protobufs:

- client -> server: ``BackMsg``; we only send ``rerun_script`` with a ``ClientState`` (the page's
  query string, the values of the widgets the user changed, the current page hash, the hashes of
  the big messages the client has cached, and browser context). A custom component's (st.components.v2)
  ``setTriggerValue(event, value)`` is a widget value too: a JSON list ``[{"event", "value"}]`` under
  the id ``$$STREAMLIT_INTERNAL_KEY_<component id>__events``, sent with the next run only
  (``Session.set_trigger``; the Playground's live charts send ``release`` when a slider is let go);
- server -> client: ``ForwardMsg``: ``new_session``, ``navigation``, ``delta`` (one per element
  or block, addressed by ``metadata.delta_path``), ``page_info_changed`` (the URL's new query
  string, written by ``st.query_params``), ``ref_hash`` (a reference to a message the client said
  it has cached) and ``script_finished`` (the end of a run).

``Session`` mimics what the frontend does with them (as far as a load test needs):

- one ``run`` = send ``rerun_script``, collect every message until ``script_finished``; the
  latency is the time from sending to receiving ``script_finished``;
- widget values: like the frontend's ``WidgetStateManager`` it remembers the value of every
  widget the user changed and sends them all on each rerun, forgetting widgets that were not
  drawn in the last run;
- the query string it sends is the last one the server wrote (the browser's address bar);
- the message cache: like the frontend, it keeps the messages the server marks ``cacheable``,
  sends their hashes with each rerun, resolves ``ref_hash`` messages from it and drops entries
  not used for ``max_cached_message_age`` runs. An unknown ``ref_hash`` is an error.

Checked against Streamlit 1.67 (Starlette/uvicorn server). The wire format is internal to
Streamlit and may change between versions; ``tests/test_load_smoke.py`` exercises it in CI.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import struct
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

# Element types that are widgets (their proto has an ``id`` and a ``label``).
WIDGET_TYPES = {
    "slider",
    "button_group",
    "number_input",
    "checkbox",
    "radio",
    "selectbox",
    "multiselect",
    "text_input",
    "button",
    "download_button",
    "plotly_chart",
    "date_input",
    "time_input",
    "color_picker",
    "text_area",
    "bidi_component",  # a custom component (st.components.v2): its id is the widget id of its state
}
#: Widget ids of a bidi component's trigger values: the component's id inside this prefix and suffix
#: (streamlit.components.v2.bidi_component.main._make_trigger_id with the event "events").
TRIGGER_ID = "$$STREAMLIT_INTERNAL_KEY_{id}__events"
#: The first bytes of the Playground's live-chart payloads (views/common/live.py).
LIVE_MAGIC = b"RMSPLIVE"
OK_STATUSES = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


class ProtocolError(RuntimeError):
    """The server said something this client does not understand (or said it too late)."""

    def __init__(self, message: str, messages: int | None = None):
        super().__init__(message)
        self.messages = messages  # how many messages the failed run had received (None: not a timeout)


@dataclass
class Widget:
    """A widget as the last run drew it."""

    id: str
    kind: str  # the Element oneof name, e.g. "slider", "button_group"
    label: str
    proto: Any  # the element's own message (e.g. streamlit.proto.Slider_pb2.Slider)
    fragment_id: str = ""  # the st.fragment it was drawn in ("": none); a change of it reruns only that fragment

    @property
    def key(self) -> str | None:
        """The user key (``key=`` of the widget), taken from the id ``$$ID-<hash>-<key>``."""
        parts = self.id.split("-", 2)
        if len(parts) == 3 and parts[0] == "$$ID" and parts[2] != "None":
            return parts[2]
        return None

    @property
    def options(self) -> list[str]:
        """Formatted options (select_slider, radio, selectbox, pills), as the frontend shows them."""
        opts = list(getattr(self.proto, "options", []))
        return [o.content if hasattr(o, "content") else str(o) for o in opts]


@dataclass
class RunResult:
    """What one script run sent back."""

    latency: float  # seconds from sending rerun_script to receiving script_finished
    status: int  # ForwardMsg.ScriptFinishedStatus
    query_string: str | None  # from page_info_changed in this run (None: the URL did not change)
    widgets: dict[str, Widget]  # by key (or label for keyless widgets)
    exceptions: list[str]  # st.exception / uncaught exceptions shown on the page
    texts: list[str]  # bodies of st.code, st.markdown and alert elements (for content checks)
    messages: int = 0
    bytes: int = 0
    ref_hits: int = 0  # messages the server replaced by a reference to our cache
    charts: list[str] = field(default_factory=list)  # Plotly specs (JSON) drawn in this run
    reran: bool = False  # the run stopped early for a rerun (``st.rerun``), which this run then waited for
    partial: bool = False  # only a fragment ran (the rest of the page, its share link included, stayed)

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES and not self.exceptions


@dataclass
class _Collector:
    started: float
    widgets: dict[str, Widget] = field(default_factory=dict)
    widget_ids: set[str] = field(default_factory=set)
    exceptions: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    query_string: str | None = None
    messages: int = 0
    bytes: int = 0
    ref_hits: int = 0
    kinds: list[str] = field(default_factory=list)  # the last few message types (for error messages)
    done: asyncio.Future | None = None
    first: asyncio.Future | None = None  # resolved by the run's first message
    charts: list[str] = field(default_factory=list)
    through_rerun: bool = True  # a run that stops early for a rerun is not finished: wait for the rerun
    reran: bool = False
    fragments: set[str] = field(default_factory=set)  # the fragments whose elements this run drew


class Session:
    """One browser tab on a Streamlit app, speaking the websocket protocol directly."""

    def __init__(
        self,
        base_url: str,
        query_string: str = "",
        cookies: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60.0,
        timezone: str = "UTC",
        locale: str = "en-US",
    ):
        self.base_url = base_url.rstrip("/")
        self.query_string = query_string.lstrip("?")  # the address bar's query string
        self.cookies = dict(cookies or {})
        self.headers = dict(headers or {})
        self.timeout = timeout
        self.timezone, self.locale = timezone, locale
        self.session_id: str | None = None
        self.page_script_hash = ""
        self.max_cached_message_age = 2
        self.widgets: dict[str, Widget] = {}  # from the last run, by key (or label)
        self._widget_states: dict[str, WidgetState] = {}  # what we send on each rerun, by widget id
        self._cache: dict[str, tuple[ForwardMsg, int]] = {}  # hash -> (message, run count when last used)
        self._runs = 0
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._run: _Collector | None = None
        self.upstream: str | None = None  # the X-Upstream header of the websocket handshake (set by our nginx.conf)
        self.auto_reruns: dict[str, float] = {}  # fragment id -> seconds: st.fragment(run_every=...) of the last run

    # ------------------------------------------------------------------ connection

    @property
    def ws_url(self) -> str:
        parts = urllib.parse.urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        return urllib.parse.urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + "/_stcore/stream", "", ""))

    async def connect(self, resume: bool = False) -> None:
        """Open the websocket; ``resume``: ask the server for our previous session (as after a network blip).

        Like the frontend, the Sec-WebSocket-Protocol list carries the session id to resume: the
        server takes entry 1 as the subprotocol, entry 2 as the XSRF token, entry 3 as the session id.
        """
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        subprotocols = ["streamlit"]
        if resume and self.session_id:
            subprotocols += ["no-xsrf-token", self.session_id]  # an empty entry is not a valid token
        self._ws = await websockets.connect(
            self.ws_url,
            subprotocols=subprotocols,
            additional_headers=headers,
            max_size=None,  # the server sends single messages of several hundred KB (Plotly specs)
            compression=None,  # Streamlit's server.enableWebsocketCompression is off by default
            open_timeout=self.timeout,
            ping_interval=None,  # the server pings; websockets answers them
        )
        self.upstream = self._ws.response.headers.get("X-Upstream")
        self._reader = asyncio.create_task(self._read_forever())

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        self._ws = self._reader = None

    async def reconnect(self) -> None:
        """Drop the connection and come back asking for the same session (a Wi-Fi blip)."""
        await self.close()
        await self.connect(resume=True)

    async def __aenter__(self) -> Session:
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    # ------------------------------------------------------------------ runs

    async def run(
        self,
        query_string: str | None = None,
        widgets: Iterable[WidgetState] = (),
        first_message_timeout: float | None = None,
        fragment_id: str | None = None,
        through_rerun: bool = True,
        auto: bool = True,
    ) -> RunResult:
        """Rerun the script (as after a widget change or on opening a link) and wait for it to finish.

        ``query_string``: open a different link (the address bar's new query string); ``widgets``:
        new values for widgets (see the ``set_*`` helpers); ``first_message_timeout``: give up
        early when not even the first message of the run arrives in time; ``fragment_id``: rerun only that
        fragment, as the frontend's timer does for ``st.fragment(run_every=...)`` (see ``auto_reruns``), or, with
        ``auto=False``, as it does when a widget drawn in that fragment changed (``Widget.fragment_id``);
        ``through_rerun``: when the run stops early because the script asked for a rerun (``st.rerun``: a fragment
        asking for the whole page, or a widget's callback for one fragment), wait for that rerun to finish too, as
        the page does (``False``: return at the early stop). Raises ``ProtocolError`` on a timeout or a closed
        connection.
        """
        if self._ws is None:
            raise ProtocolError("not connected")
        if self._run is not None:
            raise ProtocolError("a run is already in progress")
        if query_string is not None:
            self.query_string = query_string.lstrip("?")
        for state in widgets:
            self._widget_states[state.id] = state

        msg = BackMsg()
        client_state = msg.rerun_script
        client_state.query_string = self.query_string
        client_state.page_script_hash = self.page_script_hash
        client_state.widget_states.widgets.extend(self._widget_states.values())
        client_state.cached_message_hashes.extend(self._cache)
        if fragment_id is not None:
            client_state.fragment_id, client_state.is_auto_rerun = fragment_id, auto
        else:
            self.auto_reruns = {}  # a full run registers its fragments again
        info = client_state.context_info
        info.timezone, info.locale = self.timezone, self.locale
        info.url = f"{self.base_url}/"
        info.color_scheme = "light"

        loop = asyncio.get_running_loop()
        collector = _Collector(
            started=time.perf_counter(),
            done=loop.create_future(),
            first=loop.create_future(),
            through_rerun=through_rerun,
        )
        self._run = collector
        try:
            await self._ws.send(msg.SerializeToString())
            if first_message_timeout is not None:
                await asyncio.wait_for(asyncio.shield(collector.first), first_message_timeout)
            remaining = self.timeout - (time.perf_counter() - collector.started)
            status = await asyncio.wait_for(collector.done, max(remaining, 0.001))
        except TimeoutError as error:
            raise ProtocolError(
                f"no script_finished after {time.perf_counter() - collector.started:.1f} s "
                f"({collector.messages} messages, last {collector.kinds[-5:]})",
                messages=collector.messages,
            ) from error
        except websockets.ConnectionClosed as error:
            raise ProtocolError(f"connection closed: {error}") from error
        finally:
            self._run = None
        latency = time.perf_counter() - collector.started

        # After a run the frontend forgets the widgets that were not drawn (WidgetStateManager.removeInactive)
        # and takes the values the script set (``set_value``), e.g. when a new link was opened.
        # A fragment's own run redraws only the fragment: the rest of the page (and its widgets) stays. It may be
        # one the page asked for (a widget in the fragment) or one a widget's callback chose (``st.rerun(key)``).
        partial = status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
        if not partial:
            self._widget_states = {k: v for k, v in self._widget_states.items() if k in collector.widget_ids}
        for widget in collector.widgets.values():
            if getattr(widget.proto, "set_value", False) and widget.id in self._widget_states:
                server_state = _state_from_proto(widget)
                if server_state is None:
                    del self._widget_states[widget.id]
                else:
                    self._widget_states[widget.id] = server_state
        # Triggers (buttons) are one-shot.
        for wid, state in list(self._widget_states.items()):
            if state.WhichOneof("value") in {"trigger_value", "string_trigger_value", "json_trigger_value"}:
                del self._widget_states[wid]
        self._age_cache()
        if partial:  # the fragment's widgets are those it drew this time; the others stay
            ran = collector.fragments or {fragment_id}
            kept = {k: w for k, w in self.widgets.items() if w.fragment_id not in ran}
            self.widgets = kept | collector.widgets
        else:
            self.widgets = collector.widgets
        return RunResult(
            latency=latency,
            status=status,
            query_string=collector.query_string,
            widgets=collector.widgets,
            exceptions=collector.exceptions,
            texts=collector.texts,
            messages=collector.messages,
            bytes=collector.bytes,
            ref_hits=collector.ref_hits,
            charts=collector.charts,
            reran=collector.reran,
            partial=partial,
        )

    def _age_cache(self) -> None:
        self._runs += 1
        self._cache = {
            h: (m, used) for h, (m, used) in self._cache.items() if self._runs - used <= self.max_cached_message_age
        }

    # ------------------------------------------------------------------ receiving

    async def _read_forever(self) -> None:
        try:
            async for data in self._ws:
                self._handle(data)
        except websockets.ConnectionClosed:
            pass
        finally:
            run = self._run
            if run is not None and run.done is not None and not run.done.done():
                run.done.set_exception(websockets.ConnectionClosedError(None, None))

    def _handle(self, data: bytes) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(data)
        run = self._run
        if run is not None:
            run.messages += 1
            run.bytes += len(data)
        kind = msg.WhichOneof("type")
        if run is not None:
            run.kinds = [*run.kinds[-4:], kind]
            if run.first is not None and not run.first.done():
                run.first.set_result(None)
        if kind == "ref_hash":
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                self._fail(ProtocolError(f"ref_hash {msg.ref_hash} is not in the client cache"))
                return
            resolved = ForwardMsg()
            resolved.CopyFrom(cached[0])
            resolved.metadata.CopyFrom(msg.metadata)
            self._cache[msg.ref_hash] = (cached[0], self._runs)
            if run is not None:
                run.ref_hits += 1
            msg, kind = resolved, resolved.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash:
            self._cache[msg.hash] = (msg, self._runs)

        if kind == "new_session":
            self.session_id = msg.new_session.initialize.session_id or self.session_id
            self.page_script_hash = msg.new_session.page_script_hash or self.page_script_hash
            age = msg.new_session.config.max_cached_message_age
            self.max_cached_message_age = age if age > 0 else self.max_cached_message_age
        elif kind == "navigation":
            self.page_script_hash = msg.navigation.page_script_hash or self.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
            if run is not None:
                run.query_string = msg.page_info_changed.query_string
        elif kind == "delta" and run is not None:
            self._handle_delta(msg, run)
        elif kind == "auto_rerun":
            self.auto_reruns[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            for fragment_id in msg.stop_auto_rerun.fragment_ids:
                self.auto_reruns.pop(fragment_id, None)
        elif kind == "script_finished" and run is not None and run.done is not None and not run.done.done():
            if run.through_rerun and msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                run.reran = True  # the rerun follows on this connection
                return
            run.done.set_result(msg.script_finished)

    def _handle_delta(self, msg: ForwardMsg, run: _Collector) -> None:
        delta = msg.delta
        if delta.fragment_id:
            run.fragments.add(delta.fragment_id)
        if delta.WhichOneof("type") == "add_block":
            block = delta.add_block
            if block.WhichOneof("type") == "expandable" and block.expandable.id:  # a stateful expander
                expander = Widget(
                    block.expandable.id, "expander", block.expandable.label, block.expandable, delta.fragment_id
                )
                self._register(run, expander)
            return
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        etype = element.WhichOneof("type")
        if etype == "plotly_chart":
            run.charts.append(element.plotly_chart.spec)
        if etype == "exception":
            run.exceptions.append(f"{element.exception.type}: {element.exception.message}")
        elif etype == "code":
            run.texts.append(element.code.code_text)
        elif etype == "markdown":
            run.texts.append(element.markdown.body)
        elif etype == "alert":  # st.info, st.success, st.warning, st.error
            run.texts.append(element.alert.body)
        elif etype in WIDGET_TYPES:
            proto = getattr(element, etype)
            if proto.id:
                self._register(run, Widget(proto.id, etype, getattr(proto, "label", ""), proto, delta.fragment_id))

    @staticmethod
    def _register(run: _Collector, widget: Widget) -> None:
        run.widgets[widget.key or widget.label] = widget
        run.widget_ids.add(widget.id)

    def _fail(self, error: Exception) -> None:
        run = self._run
        if run is not None and run.done is not None and not run.done.done():
            run.done.set_exception(error)

    # ------------------------------------------------------------------ widget values (as the frontend sends them)

    def widget(self, key: str) -> Widget:
        try:
            return self.widgets[key]
        except KeyError:
            raise ProtocolError(f"no widget {key!r} in the last run") from None

    def set_select_slider(self, key: str, option: str) -> WidgetState:
        """st.select_slider: the formatted option (1.67 sends the option's text; older versions sent its index)."""
        widget = self.widget(key)
        if option not in widget.options:
            raise ValueError(f"{option!r} is not an option of {key!r}: {widget.options}")
        state = WidgetState(id=widget.id)
        state.string_array_value.data.append(option)
        return state

    def set_pills(self, key: str, options: Iterable[str]) -> WidgetState:
        """st.pills / st.segmented_control (multi or single): the formatted options chosen."""
        widget = self.widget(key)
        chosen = list(options)
        unknown = [o for o in chosen if o not in widget.options]
        if unknown:
            raise ValueError(f"{unknown} are not options of {key!r}: {widget.options}")
        state = WidgetState(id=widget.id)
        state.string_array_value.data.extend(chosen)
        return state

    def set_number(self, key: str, value: float) -> WidgetState:
        """st.number_input (int or float): always a double on the wire."""
        return WidgetState(id=self.widget(key).id, double_value=float(value))

    def set_toggle(self, key: str, value: bool) -> WidgetState:
        """st.checkbox / st.toggle."""
        return WidgetState(id=self.widget(key).id, bool_value=bool(value))

    def set_expander(self, key: str, expanded: bool) -> WidgetState:
        """A stateful st.expander (``on_change`` set): opened or closed by a click on its title."""
        widget = self.widget(key)
        if widget.kind != "expander":
            raise ValueError(f"{key!r} is a {widget.kind}, not an expander")
        return WidgetState(id=widget.id, bool_value=bool(expanded))

    def set_button(self, key: str) -> WidgetState:
        """st.button: one click (a trigger, sent with the next run only)."""
        return WidgetState(id=self.widget(key).id, trigger_value=True)

    def set_trigger(self, key: str, event: str, value: Any) -> WidgetState:
        """A bidi component's trigger (``setTriggerValue(event, value)`` in its JavaScript): like the frontend,
        a JSON list of ``{"event", "value"}`` under the component's trigger-aggregator id, sent with the
        next run only."""
        widget = self.widget(key)
        if widget.kind != "bidi_component":
            raise ValueError(f"{key!r} is a {widget.kind}, not a custom component")
        payload = json.dumps([{"event": event, "value": value}])
        return WidgetState(id=TRIGGER_ID.format(id=widget.id), json_trigger_value=payload)

    def set_choice(self, key: str, option: str) -> WidgetState:
        """st.radio / st.selectbox: the formatted option."""
        widget = self.widget(key)
        if widget.options and option not in widget.options:
            raise ValueError(f"{option!r} is not an option of {key!r}: {widget.options}")
        return WidgetState(id=widget.id, string_value=option)


def live_header(widget: Widget) -> dict:
    """The JSON header of a live chart's payload (views/common/live.py: magic, uint32 length, header, arrays)."""
    data = widget.proto.bytes
    if widget.kind != "bidi_component" or not data.startswith(LIVE_MAGIC):
        raise ProtocolError(f"{widget.label or widget.id!r} is not a live chart")
    (length,) = struct.unpack_from("<I", data, len(LIVE_MAGIC))
    start = len(LIVE_MAGIC) + 4
    return json.loads(data[start : start + length])


def _state_from_proto(widget: Widget) -> WidgetState | None:
    """The WidgetState the frontend holds after the server set a widget's value (None: not modelled)."""
    proto, state = widget.proto, WidgetState(id=widget.id)
    if widget.kind == "slider" and proto.type == proto.SELECT_SLIDER:
        state.string_array_value.data.extend(proto.raw_value)
    elif widget.kind == "slider":
        state.double_array_value.data.extend(proto.value)
    elif widget.kind == "button_group":
        state.string_array_value.data.extend(proto.raw_values)
    elif widget.kind == "number_input":
        state.double_value = proto.value
    elif widget.kind == "checkbox":
        state.bool_value = proto.value
    elif widget.kind in {"radio", "selectbox"}:
        state.string_value = proto.raw_value
    else:
        return None
    return state
