-- booktool: turn cross-references [@fig:id], [@chr:id], [@ch:id], [@sec:id] into spans that
-- booktool resolves per edition, before citeproc sees them as citations.
local kinds = { fig = true, chr = true, ch = true, sec = true }

function Cite(cite)
  local spans = {}
  for _, citation in ipairs(cite.citations) do
    local kind = citation.id:match("^(%a+):")
    if not (kind and kinds[kind]) then
      return nil
    end
    table.insert(spans, pandoc.Span({ pandoc.Str(citation.id) },
      { class = "xref", ["data-ref"] = citation.id }))
  end
  local result = {}
  for index, span in ipairs(spans) do
    if index > 1 then
      table.insert(result, pandoc.Str(index == #spans and " and " or ", "))
    end
    table.insert(result, span)
  end
  return result
end
