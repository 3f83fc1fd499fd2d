-- booktool's Markdown converter, run as `pandoc lua convert.lua`.
-- Reads {"from": FORMAT, "references": [CSL items], "bibliography": BOOL,
--        "docs": [{"text": ..., "prefix": ...}]} as JSON on stdin and writes a JSON list with
-- {"html": ...} or {"error": ...} per document, then, if asked, the bibliography's HTML.
-- Each document is read and written on its own (footnote numbers, heading ids), sandboxed (no
-- file is readable), with its identifiers prefixed so that documents can share one HTML page.
-- Cross-references ([@fig:id], [@chr:id], [@ch:id], [@sec:id]) become spans booktool resolves
-- per edition; other citations are formatted by citeproc from the references.
local request = pandoc.json.decode(io.read("a"), false)
local shift = { Header = function(h) h.level = h.level + 2; return h end }
local kinds = { fig = true, chr = true, ch = true, sec = true }

local crossref = {
  Cite = function(cite)
    local result = {}
    for index, citation in ipairs(cite.citations) do
      local kind = citation.id:match("^(%a+):")
      if not (kind and kinds[kind]) then
        return nil
      end
      if index > 1 then
        table.insert(result, pandoc.Str(index == #cite.citations and " and " or ", "))
      end
      table.insert(result, pandoc.Span({ pandoc.Str(citation.id) },
        { class = "xref", ["data-ref"] = citation.id }))
    end
    return result
  end,
}

local has_references = request.references ~= nil and #request.references > 0

-- Whether a document still holds a citation once cross-references are spans: citeproc costs
-- about 30 ms a document, so documents without one skip it (their HTML is the same).
local function cites(parsed)
  local found = false
  parsed:walk({ Cite = function(c) found = true; return c end })
  return found
end

-- Every reference counts for disambiguation ("2012a"), as in the bibliography, whichever a
-- document cites: a document's citations are then formatted alike alone or with others.
local everything = pandoc.MetaInlines({ pandoc.Cite({ pandoc.Str("@*") },
  { pandoc.Citation("*", "NormalCitation") }) })

local function cite(parsed, bibliography)
  parsed.meta.references = request.references
  parsed.meta.nocite = everything
  if not bibliography then
    parsed.meta["suppress-bibliography"] = true
  end
  return pandoc.utils.citeproc(parsed)
end

local options = { wrap_text = "none", reference_location = "block" }

-- The documents that cite a source are formatted by one citeproc run (about 30 ms a run, most
-- of it the style's and the references' set-up), each in a Div of its own, split again after.
local results, parsed_docs, citing = {}, {}, {}
for i, doc in ipairs(request.docs) do
  local ok, parsed = pcall(pandoc.read, doc.text, request.from, {}, {})
  if ok then
    parsed_docs[i] = parsed:walk(crossref):walk(shift)
    if has_references and cites(parsed_docs[i]) then
      table.insert(citing, i)
    end
  else
    results[i] = { error = tostring(parsed) }
  end
end
-- The bibliography, if asked for, comes from the same run: citeproc fills the Div "refs".
local bibliography = request.bibliography and has_references
if #citing > 0 or bibliography then
  local wrapped = {}
  for _, i in ipairs(citing) do
    table.insert(wrapped, pandoc.Div(parsed_docs[i].blocks, { id = "booktool-doc-" .. i }))
  end
  if bibliography then
    table.insert(wrapped, pandoc.Div({}, { id = "refs" }))
  end
  local cited = cite(pandoc.Pandoc(wrapped), bibliography)
  for _, block in ipairs(cited.blocks) do
    local i = block.t == "Div" and tonumber(block.identifier:match("^booktool%-doc%-(%d+)$"))
    if i then
      parsed_docs[i].blocks = block.content
    elseif block.t == "Div" and block.identifier == "refs" then
      bibliography = pandoc.Pandoc({ block })
    end
  end
end
for i, doc in ipairs(request.docs) do
  if parsed_docs[i] then
    options.identifier_prefix = doc.prefix
    results[i] = { html = pandoc.write(parsed_docs[i], "html5", options) }
  end
end
if bibliography then
  options.identifier_prefix = ""
  table.insert(results, { html = pandoc.write(bibliography, "html5", options) })
end
io.write(pandoc.json.encode(results))
