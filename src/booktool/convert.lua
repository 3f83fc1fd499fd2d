-- booktool's Markdown converter, run as `pandoc lua convert.lua`.
-- Reads {"from": FORMAT, "docs": [{"text": ..., "prefix": ...}]} as JSON on stdin and writes
-- a JSON list with {"html": ...} or {"error": ...} per document. Each document is read and
-- written on its own (footnote numbers, heading ids), sandboxed (no file is readable), with
-- its identifiers prefixed so that documents can share one HTML page.
local request = pandoc.json.decode(io.read("a"), false)
local shift = { Header = function(h) h.level = h.level + 2; return h end }
local results = {}
for i, doc in ipairs(request.docs) do
  local ok, parsed = pcall(pandoc.read, doc.text, request.from, {}, {})
  if ok then
    local written = pandoc.write(parsed:walk(shift), "html5", {
      wrap_text = "none",
      reference_location = "block",
      identifier_prefix = doc.prefix,
    })
    results[i] = { html = written }
  else
    results[i] = { error = tostring(parsed) }
  end
end
io.write(pandoc.json.encode(results))
