"""The map as a PNG: a "Download PNG" control drawing the map with title, filter sentence, source and link."""

from __future__ import annotations

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from basewatch.i18n import _, direction
from basewatch.text import inert
from basewatch.views.exports import source_line

HTML_TO_IMAGE_URL = "https://cdn.jsdelivr.net/npm/html-to-image@1.11.13/dist/html-to-image.js"


class MapExport(JSCSSMixin, MacroElement):
    """A "Download PNG" button: the map as it is now, with title, filter sentence, source and link.

    html-to-image (vendored; `use_local_assets` swaps its CDN URL for the local copy) draws the map
    container without its controls; the caption comes from `window.bwExportText`, which
    `build_export_caption_layer` sets on every rerun without remounting the map.
    """

    default_js = [("html_to_image", HTML_TO_IMAGE_URL)]

    _template = Template(r"""
        {% macro header(this, kwargs) %}
        <style>
        .bw-export {font:600 13px/1.2 sans-serif;padding:6px 10px;background:#fff;color:#111;border:2px solid rgba(0,0,0,.35);
            border-radius:4px;cursor:pointer;}
        .bw-export:focus-visible {outline:3px solid #0072B2;outline-offset:1px;}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            function plain(text) {  // the caption strings arrive HTML-escaped (inert); draw them as text
                return new DOMParser().parseFromString("<!doctype html><body>" + (text || ""), "text/html").body.textContent;
            }
            function wrap(ctx, text, font, width) {
                ctx.font = font;
                var lines = [], line = "";
                String(text).split(/\s+/).forEach(function (word) {
                    var next = line ? line + " " + word : word;
                    if (line && ctx.measureText(next).width > width) { lines.push(line); line = word; } else { line = next; }
                });
                if (line) { lines.push(line); }
                return lines;
            }
            function download(button) {
                var caption = window.bwExportText || {}, label = button.textContent;
                button.disabled = true; button.textContent = {{ this.words.preparing|tojson }};
                var ratio = 2;
                htmlToImage.toCanvas(map.getContainer(), {pixelRatio: ratio, skipFonts: true, backgroundColor: "#c9dbe8",
                    filter: function (node) { return !(node.classList && node.classList.contains("leaflet-control-container")); }
                }).then(function (shot) {
                    var pad = 16 * ratio, width = shot.width, text = width - 2 * pad, probe = document.createElement("canvas").getContext("2d");
                    var head = [["bold " + 18 * ratio + "px sans-serif", "#111", plain(caption.title)],
                                [13 * ratio + "px sans-serif", "#333", plain(caption.sentence)]];
                    var link = plain(caption.link);
                    if (window.bwUserMoved || caption.hasView) {  // where the reader left the map, in the link's own form
                        var c = map.getCenter();
                        link = plain(caption.template).replace("{view}",
                            encodeURIComponent(c.lat.toFixed(4) + "," + c.lng.toFixed(4) + "," + map.getZoom()));
                    }
                    var foot = [[12 * ratio + "px sans-serif", "#333", plain(caption.source)],
                                [12 * ratio + "px sans-serif", "#0b5394", link]];
                    function block(parts) {
                        return parts.map(function (p) {
                            var size = parseInt(p[0].replace(/^bold /, ""), 10);
                            return {font: p[0], color: p[1], size: size, lines: wrap(probe, p[2], p[0], text)};
                        });
                    }
                    function blockHeight(b) { return b.reduce(function (h, p) { return h + p.lines.length * p.size * 1.35; }, 0); }
                    var top = block(head), bottom = block(foot);
                    var topH = blockHeight(top) + 2 * pad, bottomH = blockHeight(bottom) + 2 * pad;
                    var out = document.createElement("canvas");
                    out.width = width; out.height = topH + shot.height + bottomH;
                    var ctx = out.getContext("2d");
                    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, out.width, out.height);
                    // Right to left (Arabic): lines right-aligned, each wrapped in RLI…PDI so Latin names and
                    // figures keep their order; the link is a left-to-right isolate (LRI…PDI) on the right.
                    var rtl = !!caption.rtl;
                    ctx.direction = rtl ? "rtl" : "ltr"; ctx.textAlign = rtl ? "right" : "left";
                    function draw(b, y) {
                        b.forEach(function (p, i) {
                            ctx.font = p.font; ctx.fillStyle = p.color;
                            var open = rtl ? (p.color === "#0b5394" ? "\u2066" : "\u2067") : "", close = rtl ? "\u2069" : "";
                            p.lines.forEach(function (line) { y += p.size * 1.35;
                                ctx.fillText(open + line + close, rtl ? width - pad : pad, y - p.size * 0.3); });
                        });
                    }
                    draw(top, pad);
                    ctx.drawImage(shot, 0, topH);
                    draw(bottom, topH + shot.height + pad);
                    window.bwLastExport = {width: out.width, height: out.height};
                    out.toBlob(function (blob) {
                        var a = document.createElement("a");
                        a.href = URL.createObjectURL(blob);
                        a.download = "basewatch-map.png";
                        document.body.appendChild(a); a.click(); a.remove();
                        setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
                    }, "image/png");
                }).catch(function (error) {
                    console.error("Basewatch: map PNG failed", error);
                    label = {{ this.words.failed|tojson }};
                }).then(function () { button.disabled = false; button.textContent = label; });
            }
            var Control = L.Control.extend({
                options: {position: "bottomleft"},
                onAdd: function () {
                    var button = L.DomUtil.create("button", "bw-export");
                    button.type = "button";
                    button.textContent = {{ this.words.download|tojson }};
                    button.title = {{ this.words.title|tojson }};
                    L.DomEvent.disableClickPropagation(button);
                    L.DomEvent.on(button, "click", function () { download(button); });
                    return button;
                }
            });
            new Control().addTo(map);
        })();
        {% endmacro %}""")

    def __init__(self):
        super().__init__()
        self._name = "MapExport"
        self.words = {"download": _("Download PNG"), "preparing": _("Preparing PNG…"),
                      "failed": _("PNG failed, try again"),
                      "title": _("Download this map view as a PNG with its title, filters, source and link")}


class ExportCaption(MacroElement):
    """Sets the caption the Download PNG control draws (every string already passed through `inert`)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        window.bwExportText = {{ this.caption|tojson }};
        {% endmacro %}""")

    def __init__(self, caption: dict[str, str]):
        super().__init__()
        self._name = "ExportCaption"
        self.caption = caption


def build_export_caption_layer(title: str, sentence: str, version: str, link: str, template: str,
                               has_view: bool = False) -> folium.FeatureGroup:
    """The caption of the map PNG: title, plain-language filter sentence, source line and link.

    `link` is the view's link without a map position and `template` the same link with `{view}` where the
    position goes (both from the link builder): once the reader has moved the map, or the link named a
    position (`has_view`), the PNG prints the template filled with the map's centre and zoom. So the layer
    changes only with the filters and selection, not on every pan (a changed layer re-adds every layer).
    """
    group = folium.FeatureGroup(name="Caption", control=False)
    ExportCaption({"title": inert(title), "sentence": inert(sentence), "source": inert(source_line(version)),
                   "link": inert(link), "template": inert(template), "hasView": bool(has_view),
                   "rtl": direction() == "rtl"}).add_to(group)
    return group
