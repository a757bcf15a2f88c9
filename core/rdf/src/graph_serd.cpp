// Turtle and N-Triples parsing with Serd into a Sord model (STYLE.md §2.3, §2.5): noexcept
// trampolines keep the first Error and return an error status so the reader stops.

#include "graph_store.hpp"
#include "serd_handles.hpp"

#include <cstdarg>
#include <cstdio>
#include <optional>
#include <string>

namespace gridke::rdf::detail {
namespace {

struct SerdReadContext {
  SordWorld* world;
  SordModel* model;
  SerdEnv* env;
  const ParseSource* source;
  std::map<std::string, std::string>* prefixes;
  std::optional<Error> error;
};

std::string location(const ParseSource& source, unsigned line, unsigned col) {
  return source.label + ":" + std::to_string(line) + ":" + std::to_string(col);
}

// 1-based line and column of byte offset `at` in text.
std::pair<unsigned, unsigned> line_col(std::string_view text, std::size_t at) {
  unsigned line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < at && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, static_cast<unsigned>(at - line_start + 1)};
}

SerdStatus on_error(void* handle, const SerdError* e) noexcept {
  auto* ctx = static_cast<SerdReadContext*>(handle);
  if (ctx->error) return SERD_SUCCESS;
  char buf[512];
  va_list args;
  va_copy(args, *e->args);
  std::vsnprintf(buf, sizeof buf, e->fmt, args);
  va_end(args);
  std::string message(buf);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  ctx->error = parse_error(message, location(*ctx->source, e->line, e->col));
  return SERD_SUCCESS;
}

SerdStatus on_base(void* handle, const SerdNode* uri) noexcept {
  auto* ctx = static_cast<SerdReadContext*>(handle);
  return serd_env_set_base_uri(ctx->env, uri);
}

SerdStatus on_prefix(void* handle, const SerdNode* name, const SerdNode* uri) noexcept {
  auto* ctx = static_cast<SerdReadContext*>(handle);
  const SerdStatus st = serd_env_set_prefix(ctx->env, name, uri);
  if (st != SERD_SUCCESS) return st;
  // Record the namespace as the env resolved it (a relative @prefix IRI uses the base).
  std::string curie = std::string(chars(name->buf), name->n_bytes) + ":";
  SerdNode curie_node = serd_node_from_string(SERD_CURIE, u8(curie.c_str()));
  SerdNodeOwner expanded(serd_env_expand_node(ctx->env, &curie_node));
  try {
    ctx->prefixes->insert_or_assign(
        std::string(chars(name->buf), name->n_bytes),
        expanded.empty() ? std::string(chars(uri->buf), uri->n_bytes)
                         : std::string(chars(expanded.get()->buf), expanded.get()->n_bytes));
  } catch (...) {
    return SERD_ERR_INTERNAL;  // std::bad_alloc must not cross Serd's C frames
  }
  return SERD_SUCCESS;
}

// A CURIE with an undeclared prefix: Serd reports no position for it, so the first use of the
// CURIE in the text gives the line and column.
SerdStatus undefined_prefix(SerdReadContext& ctx, const SerdNode* node) {
  const std::string curie(chars(node->buf), node->n_bytes);
  const std::string prefix = curie.substr(0, curie.find(':'));
  const std::size_t at = ctx.source->text.find(curie);
  const auto [line, col] = line_col(ctx.source->text, at == std::string::npos ? 0 : at);
  ctx.error = parse_error("undefined prefix '" + prefix + ":' in '" + curie +
                              "'; declare it with @prefix " + prefix + ": <...> .",
                          location(*ctx.source, line, col));
  return SERD_ERR_BAD_CURIE;
}

SerdStatus check_curie(SerdReadContext& ctx, const SerdNode* node) {
  if (node == nullptr || node->type != SERD_CURIE) return SERD_SUCCESS;
  SerdChunk prefix, suffix;
  if (serd_env_expand(ctx.env, node, &prefix, &suffix) != SERD_SUCCESS) {
    return undefined_prefix(ctx, node);
  }
  return SERD_SUCCESS;
}

// An IRI (or an expanded CURIE) without a scheme, e.g. <h;tp://x> or a prefix declared with one:
// Sord cannot intern it, returns no node and leaks the expanded string (found by
// gridke_contract_fuzz), so it is rejected here with its position.
SerdStatus check_absolute_iri(SerdReadContext& ctx, const SerdNode* node) {
  if (node == nullptr || (node->type != SERD_URI && node->type != SERD_CURIE)) {
    return SERD_SUCCESS;
  }
  SerdNode expanded = serd_env_expand_node(ctx.env, node);
  const bool absolute = expanded.buf != nullptr && serd_uri_string_has_scheme(expanded.buf);
  const std::string iri = expanded.buf != nullptr
                              ? std::string(chars(expanded.buf), expanded.n_bytes)
                              : std::string(chars(node->buf), node->n_bytes);
  serd_node_free(&expanded);
  if (absolute) return SERD_SUCCESS;
  const std::string written(chars(node->buf), node->n_bytes);
  const std::size_t at = ctx.source->text.find(written);
  const auto [line, col] = line_col(ctx.source->text, at == std::string::npos ? 0 : at);
  ctx.error = parse_error("IRI <" + iri + "> is not absolute (it has no scheme such as https:)",
                          location(*ctx.source, line, col));
  return SERD_ERR_BAD_ARG;
}

SordNodeRef make_node(SerdReadContext& ctx, const SerdNode* node) {
  return {ctx.world, sord_node_from_serd_node(ctx.world, ctx.env, node, nullptr, nullptr)};
}

SerdStatus on_statement(void* handle, SerdStatementFlags /*flags*/, const SerdNode* /*graph*/,
                        const SerdNode* subject, const SerdNode* predicate, const SerdNode* object,
                        const SerdNode* datatype, const SerdNode* lang) noexcept {
  auto* ctx = static_cast<SerdReadContext*>(handle);
  try {
    for (const SerdNode* n : {subject, predicate, object, datatype}) {
      if (const SerdStatus st = check_curie(*ctx, n); st != SERD_SUCCESS) return st;
      if (const SerdStatus st = check_absolute_iri(*ctx, n); st != SERD_SUCCESS) return st;
    }
    SordNodeRef s = make_node(*ctx, subject);
    SordNodeRef p = make_node(*ctx, predicate);
    SordNodeRef o;
    if (object->type == SERD_LITERAL) {
      SordNodeRef dt = datatype ? make_node(*ctx, datatype) : SordNodeRef();
      const std::string lexical(chars(object->buf), object->n_bytes);
      const std::string language = lang ? std::string(chars(lang->buf), lang->n_bytes) : "";
      o = canonical_literal(ctx->world, lexical.c_str(),
                            dt ? chars(sord_node_get_string(dt.get())) : nullptr, language.c_str());
    } else {
      o = make_node(*ctx, object);
    }
    if (!s || !p || !o) {
      ctx->error = parse_error("cannot resolve a node of the statement with subject '" +
                                   std::string(chars(subject->buf), subject->n_bytes) + "'",
                               ctx->source->label);
      return SERD_ERR_BAD_ARG;
    }
    const SordQuad quad = {s.get(), p.get(), o.get(), nullptr};
    sord_add(ctx->model, quad);
  } catch (...) {
    ctx->error = internal_error("out of memory while parsing", ctx->source->label);
    return SERD_ERR_INTERNAL;
  }
  return SERD_SUCCESS;
}

}  // namespace

Result<void> read_serd(SordWorld* world, SordModel* model, const ParseSource& source, bool ntriples,
                       std::map<std::string, std::string>& prefixes) {
  SerdNode base = serd_node_from_string(SERD_URI, u8(source.base_iri.c_str()));
  SerdEnvPtr env(serd_env_new(source.base_iri.empty() ? nullptr : &base));
  SerdReadContext ctx{world, model, env.get(), &source, &prefixes, std::nullopt};
  SerdReaderPtr reader(serd_reader_new(ntriples ? SERD_NTRIPLES : SERD_TURTLE, &ctx, nullptr,
                                       on_base, on_prefix, on_statement, nullptr));
  serd_reader_set_strict(reader.get(), true);
  serd_reader_set_error_sink(reader.get(), on_error, &ctx);
  if (!source.blank_prefix.empty()) {
    serd_reader_add_blank_prefix(reader.get(), u8(source.blank_prefix.c_str()));
  }
  // serd_reader_read_string needs a terminated string; copy only when the view is not one.
  std::string copy;
  if (!source.text_terminated) copy.assign(source.text);
  const char* text = source.text_terminated ? source.text.data() : copy.c_str();
  const SerdStatus st = serd_reader_read_string(reader.get(), u8(text));
  if (ctx.error) return *std::move(ctx.error);
  if (st != SERD_SUCCESS && st != SERD_FAILURE) {
    return parse_error(chars(serd_strerror(st)), source.label);
  }
  return ok();
}

}  // namespace gridke::rdf::detail
