-- booktool's Markdown converter, run as `pandoc lua convert.lua`.
-- Reads {"from": FORMAT, "references": [CSL items], "bibliography": BOOL, "data": FOLDER,
--        "docs": [{"text": ..., "prefix": ...}]} as JSON on stdin and writes a JSON list with
-- {"html": ...} or {"error": ...} per document, then, if asked, the bibliography's HTML.
-- Each document is read and written on its own (footnote numbers, heading ids), sandboxed (no
-- file is readable), with its identifiers prefixed so that documents can share one HTML page.
-- Cross-references ([@fig:id], [@chr:id], [@ch:id], [@sec:id]) become spans booktool resolves
-- per edition; other citations are formatted by citeproc from the references.
local request = pandoc.json.decode(io.read("a"), false)
local kinds = { fig = true, chr = true, ch = true, sec = true }

-- One walk a document: headings shifted two levels down (h6 at the deepest: HTML has none
-- deeper; the check warns of a deeper one), cross-references made spans, and whether a
-- citation is left for citeproc noted.
local cites = false
local prepare = {
  Header = function(h)
    h.level = math.min(h.level + 2, 6)
    return h
  end,
  Cite = function(cite)
    local result = {}
    for index, citation in ipairs(cite.citations) do
      local kind = citation.id:match("^(%a+):")
      if not (kind and kinds[kind]) then
        cites = true
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

local options = { wrap_text = "none", reference_location = "block", html_math_method = "mathml" }

-- The documents that cite a source are formatted by one citeproc run (0.075 s at 10x, most
-- of it the style's and the references' set-up), each in a Div of its own, split again after.
local results, parsed_docs, citing = {}, {}, {}
for i, doc in ipairs(request.docs) do
  local ok, parsed = pcall(pandoc.read, doc.text, request.from, {}, {})
  if ok then
    cites = false
    parsed_docs[i] = parsed:walk(prepare)
    -- Documents left with no citation skip citeproc (their HTML is the same).
    if has_references and cites then
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
-- A quotation ("…" or '…', which pandoc's smart reading makes Quoted) written with the English
-- marks inside a span that says which it is: booktool gives it the marks of the language it is
-- in (language/typography.py) and removes the span. Text made from the inlines (an image's alt)
-- keeps the marks.
local marks = { DoubleQuote = { "“", "”", "double" }, SingleQuote = { "‘", "’", "single" } }
local quotations = {
  Quoted = function(quoted)
    local mark = marks[quoted.quotetype]
    local content = pandoc.Inlines({ pandoc.Str(mark[1]) })
    content:extend(quoted.content)
    content:insert(pandoc.Str(mark[2]))
    return pandoc.Span(content, { ["data-booktool-quote"] = mark[3] })
  end,
}

-- The HTML writer loads its translations at every call (only for a template's "Abstract"
-- title, which a fragment never shows): from booktool's folder of pandoc data, one term to
-- read instead of a language's forty (0.5 ms a document less).
pandoc.with_state({ user_data_dir = request.data }, function()
  for i, doc in ipairs(request.docs) do
    if parsed_docs[i] then
      options.identifier_prefix = doc.prefix
      results[i] = { html = pandoc.write(parsed_docs[i]:walk(quotations), "html5", options) }
    end
  end
  if bibliography then
    options.identifier_prefix = ""
    table.insert(results, { html = pandoc.write(bibliography:walk(quotations), "html5", options) })
  end
end)
io.write(pandoc.json.encode(results))
