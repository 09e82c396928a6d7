"""The in-page timer both web benches use (bench/web_latency.py, bench/web_load.py).

Armed before Enter, ``ARM(n)`` sets ``window.__done`` to a promise of the in-page time from just
before Enter to the n-th answer on screen (a MutationObserver: Playwright's own waits poll at
up to 500 ms and would blur the figure). The answer, not the working state: the assistant's
bubble shows a spinner with text until the answer replaces it. Timing the spinner made the
figures look 2-10 times better than they were, and an asker who went on at once stopped the
answer being worked out.
"""

ARM = """(n) => { window.__done = new Promise(resolve => {
    const t0 = performance.now(), started = Date.now();
    const ready = () => {
        const m = document.querySelectorAll('[data-testid="stChatMessage"]');
        return m.length >= 2 * n
            && m[2 * n - 1].querySelector('[data-testid="stMarkdownContainer"]')
            && !m[2 * n - 1].querySelector('[data-testid="stSpinner"]');
    };
    const obs = new MutationObserver(() => {
        if (ready()) {
            obs.disconnect();
            resolve({seconds: (performance.now() - t0) / 1000, started: started / 1000,
                     ended: Date.now() / 1000});
        }
    });
    obs.observe(document.body, {childList: true, subtree: true});
}); }"""
