"""Static, self-contained HTML pages (no CDN, no external file): one page shell, escaping, and a
small inline script that makes tables sortable and filterable.

Table contract for the script: ``<table class="sortable">``; a header ``<th data-key="K">`` sorts
on click by each row's ``<td data-key="K" data-v="…">`` (numbers when every value parses, else
text; a second click reverses).  Every ``<input class="filter" data-key="K">`` keeps the rows whose
cell K (the whole row's text for K = ``*``) contains the typed text (case-insensitive); every ``<select class="filter" data-key="K">``
keeps the rows whose cell K equals the chosen value ("" = all).  Hidden rows get ``hidden``.
"""

from __future__ import annotations

import html

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:1.5rem;color:#1d2330}
h1{font-size:1.4rem;margin:0 0 .3rem} .sub{color:#5b6475;margin:0 0 1rem}
table{border-collapse:collapse;width:100%;margin:.6rem 0}
th,td{padding:.3rem .5rem;border-bottom:1px solid #e3e6ec;text-align:left;vertical-align:top}
th[data-key]{cursor:pointer;user-select:none;background:#f4f6fa;white-space:nowrap}
th[data-key]:after{content:" \\2195";color:#9aa3b5} th.asc:after{content:" \\2191"} th.desc:after{content:" \\2193"}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.controls{display:flex;gap:.8rem;flex-wrap:wrap;align-items:center;margin:.6rem 0}
.controls input,.controls select{padding:.25rem .4rem;font:inherit}
.tag{display:inline-block;background:#eef1f7;border-radius:3px;padding:0 .3rem;margin:0 .15rem .15rem 0;font-size:12px}
.ok{color:#1a7f37} .bad{color:#b42318} .warn{color:#9a6700} .muted{color:#7a8497}
tr.g-odd td{background:#f7f9fd} tr.g-even td{background:#fff}
.pos{color:#1a7f37} .neg{color:#b42318} code{font-size:12px}
pre{white-space:pre-wrap;background:#f6f8fa;padding:.8rem;border-radius:4px}
"""

SCRIPT = """
(function(){
  function cell(row,key){return row.querySelector('td[data-key="'+key+'"]');}
  function val(row,key){var c=cell(row,key);if(!c)return '';var v=c.getAttribute('data-v');return v===null?c.textContent.trim():v;}
  document.querySelectorAll('table.sortable').forEach(function(table){
    var body=table.tBodies[0];
    table.querySelectorAll('th[data-key]').forEach(function(th){
      th.addEventListener('click',function(){
        var key=th.getAttribute('data-key'),asc=!th.classList.contains('asc');
        table.querySelectorAll('th').forEach(function(h){h.classList.remove('asc','desc');});
        th.classList.add(asc?'asc':'desc');
        var rows=Array.prototype.slice.call(body.rows);
        var num=rows.every(function(r){var v=val(r,key);return v===''||!isNaN(parseFloat(v));});
        rows.sort(function(a,b){
          var x=val(a,key),y=val(b,key),d;
          if(num){x=x===''?-Infinity:parseFloat(x);y=y===''?-Infinity:parseFloat(y);d=x-y;}
          else{d=x.localeCompare(y);}
          return asc?d:-d;});
        rows.forEach(function(r){body.appendChild(r);});
      });
    });
  });
  var filters=document.querySelectorAll('.filter');
  function apply(){
    document.querySelectorAll('table.sortable tbody tr').forEach(function(row){
      var show=true;
      filters.forEach(function(f){
        var key=f.getAttribute('data-key'),want=f.value.trim().toLowerCase();
        if(!want)return;
        var got=(key==='*'?row.textContent:val(row,key)||'').toLowerCase();
        if(f.tagName==='SELECT'?got!==want:got.indexOf(want)<0)show=false;
      });
      row.hidden=!show;
    });
    var shown=document.getElementById('shown');
    if(shown)shown.textContent=document.querySelectorAll('table.sortable tbody tr:not([hidden])').length;
  }
  filters.forEach(function(f){f.addEventListener('input',apply);f.addEventListener('change',apply);});
  apply();
})();
"""


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def page(title: str, body: str, *, script: bool = True) -> str:
    """A whole HTML document: inline CSS, ``body`` as given, the table script when asked."""
    js = f"<script>{SCRIPT}</script>" if script else ""
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{esc(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n{js}\n</body></html>\n")  # fmt: skip


def td(key: str, text, *, sort=None, cls: str = "", raw: bool = False) -> str:
    """One table cell for the script: ``key`` names its column, ``sort`` its sort/filter value."""
    v = f' data-v="{esc(sort)}"' if sort is not None else ""
    c = f' class="{cls}"' if cls else ""
    return f'<td data-key="{esc(key)}"{v}{c}>{text if raw else esc(text)}</td>'


def select(key: str, label: str, options) -> str:
    """A filter dropdown over column ``key`` ("" = all)."""
    opts = "".join(f'<option value="{esc(o)}">{esc(o)}</option>' for o in options)
    return f'<label>{esc(label)} <select class="filter" data-key="{esc(key)}"><option value="">all</option>{opts}</select></label>'


def search(key: str, label: str, placeholder: str = "") -> str:
    return f'<label>{esc(label)} <input class="filter" data-key="{esc(key)}" placeholder="{esc(placeholder)}"></label>'


def write_page(path, title: str, body: str, **kw) -> None:
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page(title, body, **kw), encoding="utf-8")
