/*
 * static.c - the dashboard's one stylesheet and its icon, served from the
 * binary (no external assets). Trusted: our own text.
 */
#include "page.h"

/* In parts: ISO C compilers need not support string literals over 4095
 * bytes. The router sends them one after the other. */
const char *const web_stylesheet[] = {
    ":root{--fg:#1d2430;--muted:#5b6577;--line:#dfe3ea;--bg:#f6f7f9;--card:#fff;"
    "--ok:#2e7d32;--fail:#c62828;--link:#1a56b0;--warn:#fff4e5}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:var(--fg);background:var(--bg)}\n"
    "a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}\n"
    "header{display:flex;flex-wrap:wrap;align-items:center;gap:.3rem 1.2rem;"
    "padding:.6rem 1rem;background:#1d2430}\n"
    "header a{color:#dfe6f3}.brand{font-weight:700;font-size:1.1rem;color:#fff}\n"
    "nav{display:flex;flex-wrap:wrap;gap:.2rem .9rem}nav a.active{color:#fff;"
    "border-bottom:2px solid #8fb3ff}\n"
    "form.filters{display:flex;flex-wrap:wrap;gap:.4rem .8rem;align-items:flex-end;"
    "padding:.6rem 1rem;background:var(--card);border-bottom:1px solid var(--line)}\n"
    "form.filters label{display:flex;flex-direction:column;font-size:.8rem;color:var(--muted)}\n"
    "form.filters input{font:inherit;font-size:.9rem;padding:.25rem .4rem;width:11rem;"
    "max-width:100%;border:1px solid var(--line);border-radius:4px}\n"
    "form.filters .buttons{display:flex;gap:.6rem;align-items:center}\n"
    "button{font:inherit;padding:.3rem .9rem;border:0;border-radius:4px;background:#1a56b0;"
    "color:#fff;cursor:pointer}\n"
    "main{padding:1rem;max-width:1200px;margin:0 auto}\n"
    "h1{font-size:1.4rem;margin:.2rem 0 .4rem}h2{font-size:1.1rem;margin:1.6rem 0 .5rem}\n"
    "p.period{color:var(--muted);margin:0 0 1rem}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(9.5rem,1fr));gap:.7rem}\n"
    ".card{background:var(--card);border:1px solid var(--line);border-radius:6px;"
    "padding:.6rem .8rem}\n"
    ".card .label{font-size:.8rem;color:var(--muted)}.card .value{font-size:1.45rem;"
    "font-weight:600}\n"
    ".card .delta{font-size:.8rem;color:var(--muted)}\n"
    ".scroll{overflow-x:auto;background:var(--card);border:1px solid var(--line);"
    "border-radius:6px}\n"
    "table{border-collapse:collapse;width:100%;font-size:.9rem}\n"
    "th,td{padding:.35rem .6rem;text-align:left;border-bottom:1px solid var(--line);"
    "vertical-align:top}\n"
    "th{background:#eef1f5;font-weight:600;white-space:nowrap}\n"
    "td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\n"
    "td.hint{color:var(--muted);font-size:.85rem;min-width:16rem}td.day{white-space:nowrap}\n"
    "td.name{overflow-wrap:anywhere;min-width:8rem}\n"
    ".ok{color:var(--ok)}.fail{color:var(--fail)}.absent{color:var(--muted)}\n"
    "td.fail a{color:var(--fail);text-decoration:underline dotted}\n"
    ".up{color:var(--fail)}.down{color:var(--ok)}\n"
    ".alerts{list-style:none;padding:0;margin:0}\n"
    ".alerts li{background:var(--warn);border-left:4px solid #e08a00;padding:.45rem .7rem;"
    "margin:.3rem 0;border-radius:4px}\n"
    ".none{color:var(--muted)}\n"
    ".error{background:#fdecea;border-left:4px solid var(--fail);padding:.5rem .8rem}\n",
    ".chart{background:var(--card);border:1px solid var(--line);border-radius:6px;"
    "padding:.5rem}\n"
    ".chart svg{width:100%;height:auto;display:block}\n"
    ".chart .bar-ok{fill:#66bb6a}.chart .bar-fail{fill:#e53935}\n"
    ".chart .axis{stroke:#9aa3b2;stroke-width:1}.chart .grid{stroke:#e6e9ef;stroke-width:1}\n"
    ".chart text{font-size:11px;fill:#5b6577}\n"
    ".legend{font-size:.8rem;color:var(--muted);margin:.3rem 0 0}\n"
    ".legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 .8rem;"
    "vertical-align:-1px}\n"
    ".legend .k-ok{background:#66bb6a}.legend .k-fail{background:#e53935}\n"
    ".tabs{display:flex;flex-wrap:wrap;gap:.4rem;margin:.4rem 0 .8rem}\n"
    ".tabs a{padding:.2rem .7rem;border:1px solid var(--line);border-radius:999px;"
    "background:var(--card)}\n"
    ".tabs a.active{background:#1a56b0;color:#fff;border-color:#1a56b0}\n"
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;"
    "background:var(--card);border:1px solid var(--line);border-radius:6px;"
    "padding:.6rem .8rem;margin:0}\n"
    "dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;overflow-wrap:anywhere}\n"
    "pre{background:#0f1420;color:#e6e9ef;padding:.8rem;border-radius:6px;overflow-x:auto;"
    "font-size:.8rem;white-space:pre-wrap;overflow-wrap:anywhere}\n"
    "p.pager{display:flex;gap:1rem;flex-wrap:wrap}\n"
    "footer{color:var(--muted);font-size:.8rem;padding:1rem;text-align:center}\n"
    "@media (max-width:600px){main{padding:.6rem}form.filters input{width:100%}"
    "form.filters label{flex:1 1 45%}th,td{padding:.3rem .4rem}"
    "td.hint{min-width:12rem}"
    /* the chart keeps its labels legible: it scrolls inside its card
     * rather than shrinking 11-unit text to 5 px */
    ".chart{overflow-x:auto}.chart svg{min-width:720px}}\n",
    /* wide tables become one block per row on a phone */
    "@media (max-width:600px){table.stack thead{display:none}"
    "table.stack tr{display:block;padding:.4rem 0;border-bottom:1px solid var(--line)}"
    "table.stack td{display:flex;gap:.6rem;border:0;padding:.1rem .6rem;text-align:left;"
    "min-width:0}"
    "table.stack td::before{content:attr(data-label);flex:0 0 7.5rem;color:var(--muted);"
    "font-size:.8rem}table.stack td.name{overflow-wrap:anywhere;min-width:0}"
    "table.stack td>*{min-width:0}}\n",
    NULL,
};

const char web_icon_svg[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\">"
    "<rect width=\"16\" height=\"16\" rx=\"3\" fill=\"#1d2430\"/>"
    "<path d=\"M4 8.5l2.5 2.5L12 5\" stroke=\"#66bb6a\" stroke-width=\"2\" fill=\"none\"/>"
    "</svg>\n";
