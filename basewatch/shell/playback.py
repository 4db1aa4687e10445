"""Time playback: step a date window through the data so charts and map animate."""

from __future__ import annotations

import datetime as dt
import time

import pandas as pd
import streamlit as st

from basewatch import i18n
from basewatch.i18n import N_, _
from basewatch.shell import session
from basewatch.state.filters import LATEST_DATE

STEPS = {"1 month": pd.DateOffset(months=1), "3 months": pd.DateOffset(months=3), "1 year": pd.DateOffset(years=1)}
# The options' words (the keys stay English: they are the widgets' values, kept in the session).
OPTION_NAMES = {"1 month": N_("1 month"), "3 months": N_("3 months"), "1 year": N_("1 year"), "5 years": N_("5 years")}


def next_window(start: dt.date, end: dt.date, step: pd.DateOffset, last: dt.date) -> tuple[dt.date, dt.date] | None:
    """The window moved forward by one step, or None when it would pass the last event."""
    new_start = (pd.Timestamp(start) + step).date()
    new_end = (pd.Timestamp(end) + step).date()
    if new_start > last:
        return None
    return new_start, min(new_end, LATEST_DATE)


def controls(ctx) -> None:
    """Play / pause buttons that move the from/to filter forward every couple of seconds."""
    with st.expander(_("Playback: step through time")):
        cols = st.columns([2, 2, 1, 1])
        # The options are the words themselves (a widget's value must be what it shows for AppTest to drive it);
        # the choice maps back to its English key by position.
        steps, windows = list(STEPS), ["3 months", "1 year", "5 years"]
        step_words, window_words = [_(OPTION_NAMES[k]) for k in steps], [_(OPTION_NAMES[k]) for k in windows]
        step_name = steps[step_words.index(cols[0].selectbox(_("Step"), step_words, key=f"play_step_{i18n.language()}"))]
        window_name = windows[window_words.index(cols[1].selectbox(_("Window"), window_words, index=1,
                                                                   key=f"play_window_{i18n.language()}"))]
        playing = st.session_state.get("playing", False)
        if cols[2].button(_("Pause") if playing else _("Play"), key="play_toggle"):
            st.session_state["playing"] = not playing
            st.session_state["_play_last"] = time.monotonic()
            if not playing:
                first = ctx.all_events["date"].min().date()
                start = ctx.state.filters.date_from or first
                span = {"3 months": pd.DateOffset(months=3), "1 year": pd.DateOffset(years=1),
                        "5 years": pd.DateOffset(years=5)}[window_name]
                session.update(date_from=start, date_to=(pd.Timestamp(start) + span).date())
            st.rerun()
        cols[3].button(_("Stop"), key="play_stop", on_click=lambda: st.session_state.update(playing=False))
        st.caption(_("Playback moves the From/To filter; every page follows it, so open the Map in another tab "
                     "with the same link to watch it there."))
        if st.session_state.get("playing"):
            _tick(ctx, STEPS[step_name])


TICK_SECONDS = 2.0


@st.fragment(run_every=TICK_SECONDS)
def _tick(ctx, step: pd.DateOffset) -> None:
    if not st.session_state.get("playing"):
        return
    # A fragment's body also runs inside every full rerun (including the one this tick triggers);
    # only the timer should move the window, so a step waits for the interval since the last one.
    now = time.monotonic()
    if now - st.session_state.get("_play_last", 0.0) < TICK_SECONDS * 0.9:
        return
    st.session_state["_play_last"] = now
    f = session.current().filters
    last = ctx.all_events["date"].max().date()
    if f.date_from is None or f.date_to is None:
        st.session_state["playing"] = False
        return
    window = next_window(f.date_from, f.date_to, step, last)
    if window is None:
        st.session_state["playing"] = False
    else:
        session.update(date_from=window[0], date_to=window[1])
    st.rerun(scope="app")
