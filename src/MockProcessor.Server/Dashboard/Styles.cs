namespace MockProcessor.Server.Dashboard;

/// <summary>The dashboard's only style sheet and script, inline in every page: nothing is loaded from elsewhere.</summary>
public static class Styles
{
    public const string Css = """
        :root { font-family: system-ui, sans-serif; font-size: 15px; color: #1a1a1a; background: #fff; }
        body { margin: 0; }
        .skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px; }
        header { display: flex; flex-wrap: wrap; gap: 12px 24px; align-items: center; padding: 8px 16px; background: #f2f4f8; border-bottom: 1px solid #ccd; }
        header p, header form { margin: 0; }
        nav { padding: 4px 16px; border-bottom: 1px solid #ccd; display: flex; justify-content: space-between; align-items: center; }
        nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 0; padding: 0; }
        nav a[aria-current=page] { font-weight: bold; text-decoration: none; color: #1a1a1a; }
        main { padding: 8px 16px 32px; max-width: 1400px; }
        h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 1.6em; }
        table { border-collapse: collapse; width: 100%; margin: 8px 0; display: block; overflow-x: auto; }
        th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e2e4ea; vertical-align: top; }
        th { background: #f7f8fa; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .notice { background: #e6f4ea; border: 1px solid #9c9; padding: 6px 10px; }
        .error { background: #fdecea; border: 1px solid #e99; padding: 6px 10px; }
        form.act { display: inline-flex; gap: 6px; align-items: center; margin: 2px 4px 2px 0; flex-wrap: wrap; }
        input[type=number] { width: 6em; }
        fieldset { border: 1px solid #ccd; margin: 8px 0; } legend { font-weight: bold; }
        .filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: end; }
        .filters label { display: flex; flex-direction: column; font-size: .9rem; }
        small.real, .muted { color: #555; }
        :focus-visible { outline: 3px solid #2a62d4; outline-offset: 1px; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; } dl.facts dt { font-weight: bold; }
        @media print { header form, nav, form.act, .filters, script { display: none !important; } main { max-width: none; } }
        """;

    /// <summary>
    /// "Refresh every 5 s": while ticked (remembered in the browser), the page re-reads itself and swaps its main
    /// content, unless the user is typing in a form.
    /// </summary>
    public const string Script = """
        (function () {
          var box = document.getElementById('auto-refresh');
          if (!box) return;
          box.checked = localStorage.getItem('mp-dashboard-refresh') === '1';
          box.addEventListener('change', function () { localStorage.setItem('mp-dashboard-refresh', box.checked ? '1' : '0'); });
          setInterval(function () {
            if (!box.checked) return;
            var active = document.activeElement;
            if (active && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName) && active !== box) return;
            fetch(location.href, { credentials: 'same-origin' }).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
              if (!html) return;
              var next = new DOMParser().parseFromString(html, 'text/html');
              var main = next.getElementById('content'), clock = next.querySelector('.clock');
              if (main) document.getElementById('content').replaceWith(main);
              if (clock) document.querySelector('.clock').replaceWith(clock);
            });
          }, 5000);
        })();
        """;
}
