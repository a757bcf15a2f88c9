// RDF/XML parsing with Raptor2 into a Sord model. Raptor reports problems through its log
// handler; a noexcept trampoline keeps the first error (with its line and column) and aborts
// the parse.

#include "graph_store.hpp"
#include "raptor_handles.hpp"

#include <libxml/xmlerror.h>

#include <optional>
#include <string>

namespace gridke::rdf::detail {
namespace {

struct RaptorReadContext {
  SordWorld* world;
  SordModel* model;
  raptor_parser* parser;
  const ParseSource* source;
  std::map<std::string, std::string>* prefixes;
  std::optional<Error> error;
};

void fail(RaptorReadContext& ctx, Error error) {
  if (!ctx.error) ctx.error = std::move(error);
  if (ctx.parser != nullptr) raptor_parser_parse_abort(ctx.parser);
}

void on_log(void* handle, raptor_log_message* message) noexcept {
  auto* ctx = static_cast<RaptorReadContext*>(handle);
  if (message->level < RAPTOR_LOG_LEVEL_ERROR || ctx->error) return;
  try {
    // RDF-level errors carry Raptor's locator (line only). XML syntax errors come without
    // one; libxml2's last error then has the line and column (int2).
    int line = -1, column = -1;
    if (message->locator != nullptr) {
      line = message->locator->line;
      column = message->locator->column;
    } else if (const xmlError* xml = xmlGetLastError(); xml != nullptr && xml->line > 0) {
      line = xml->line;
      column = xml->int2;
    } else if (const raptor_locator* loc = raptor_parser_get_locator(ctx->parser)) {
      line = loc->line;
      column = loc->column;
    }
    std::string where = ctx->source->label;
    if (line > 0) {
      where += ":" + std::to_string(line);
      if (column > 0) where += ":" + std::to_string(column);
    }
    std::string text = message->text ? message->text : "RDF/XML error";
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    // Raptor has libxml2 keep no element lines, so its messages say "line 0"; drop that.
    if (auto at = text.find(" line 0 and "); at != std::string::npos) text.erase(at, 7);
    fail(*ctx, parse_error(std::move(text), std::move(where)));
  } catch (...) {
    fail(*ctx, internal_error("out of memory while parsing RDF/XML"));
  }
}

void on_namespace(void* handle, raptor_namespace* ns) noexcept {
  auto* ctx = static_cast<RaptorReadContext*>(handle);
  raptor_uri* uri = raptor_namespace_get_uri(ns);
  if (uri == nullptr) return;
  const unsigned char* prefix = raptor_namespace_get_prefix(ns);
  try {
    ctx->prefixes->insert_or_assign(prefix ? chars(prefix) : "", chars(raptor_uri_as_string(uri)));
  } catch (...) {
    fail(*ctx, internal_error("out of memory while parsing RDF/XML"));
  }
}

SordNodeRef make_node(RaptorReadContext& ctx, const raptor_term* term) {
  switch (term->type) {
    case RAPTOR_TERM_TYPE_URI:
      return {ctx.world, sord_new_uri(ctx.world, raptor_uri_as_string(term->value.uri))};
    case RAPTOR_TERM_TYPE_BLANK: {
      const std::string label = ctx.source->blank_prefix + chars(term->value.blank.string);
      return {ctx.world, sord_new_blank(ctx.world, u8(label.c_str()))};
    }
    case RAPTOR_TERM_TYPE_LITERAL: {
      const auto& lit = term->value.literal;
      return canonical_literal(ctx.world, chars(lit.string),
                               lit.datatype ? chars(raptor_uri_as_string(lit.datatype)) : nullptr,
                               lit.language ? chars(lit.language) : nullptr);
    }
    case RAPTOR_TERM_TYPE_UNKNOWN: break;
  }
  return {};
}

void on_statement(void* handle, raptor_statement* statement) noexcept {
  auto* ctx = static_cast<RaptorReadContext*>(handle);
  if (ctx->error) return;
  try {
    SordNodeRef s = make_node(*ctx, statement->subject);
    SordNodeRef p = make_node(*ctx, statement->predicate);
    SordNodeRef o = make_node(*ctx, statement->object);
    if (!s || !p || !o) {
      fail(*ctx, parse_error("a statement has a term of unknown type", ctx->source->label));
      return;
    }
    const SordQuad quad = {s.get(), p.get(), o.get(), nullptr};
    sord_add(ctx->model, quad);
  } catch (...) {
    fail(*ctx, internal_error("out of memory while parsing RDF/XML"));
  }
}

}  // namespace

Result<void> read_rdfxml(SordWorld* world, SordModel* model, const ParseSource& source,
                         std::map<std::string, std::string>& prefixes) {
  // Declared first: the world must outlive the parser and the base URI made from it.
  RaptorWorldPtr raptor(raptor_new_world());
  if (!raptor || raptor_world_open(raptor.get()) != 0) {
    return internal_error("cannot initialise Raptor2", source.label);
  }
  RaptorReadContext ctx{world, model, nullptr, &source, &prefixes, std::nullopt};
  raptor_world_set_log_handler(raptor.get(), &ctx, on_log);
  RaptorParserPtr parser(raptor_new_parser(raptor.get(), "rdfxml"));
  if (!parser) return internal_error("Raptor2 has no rdfxml parser", source.label);
  ctx.parser = parser.get();
  raptor_parser_set_statement_handler(parser.get(), &ctx, on_statement);
  raptor_parser_set_namespace_handler(parser.get(), &ctx, on_namespace);
  RaptorUriPtr base(raptor_new_uri(raptor.get(), u8(source.base_iri.c_str())));
  if (!base) return parse_error("invalid base IRI <" + source.base_iri + ">", source.label);
  xmlResetLastError();  // a stale error of an earlier parse on this thread must not leak in
  if (raptor_parser_parse_start(parser.get(), base.get()) != 0) {
    if (ctx.error) return *std::move(ctx.error);
    return internal_error("cannot start the RDF/XML parser", source.label);
  }
  const int rc = raptor_parser_parse_chunk(
      parser.get(), reinterpret_cast<const unsigned char*>(source.text.data()), source.text.size(),
      1);
  if (ctx.error) return *std::move(ctx.error);
  if (rc != 0) return parse_error("RDF/XML parse failed", source.label);
  return ok();
}

}  // namespace gridke::rdf::detail
