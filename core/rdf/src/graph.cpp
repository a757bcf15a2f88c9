#include "gridke/rdf/graph.hpp"

#include "graph_store.hpp"
#include "gridke/rdf/vocabulary.hpp"
#include "serd_handles.hpp"

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <utility>

namespace gridke::rdf {
namespace detail {
namespace {

// Sord reports misuse (e.g. a NULL node) through this sink; Graph checks every call itself, so
// the messages are dropped instead of going to stderr.
SerdStatus ignore_sord_error(void* /*handle*/, const SerdError* /*error*/) noexcept {
  return SERD_SUCCESS;
}

}  // namespace

GraphStore::GraphStore() : world(sord_world_new()) {
  sord_world_set_error_sink(world.get(), ignore_sord_error, nullptr);
  model = new_model(world.get());
}

SordModelPtr new_model(SordWorld* world) {
  return SordModelPtr(sord_new(world, SORD_SPO | SORD_POS | SORD_OSP, false));
}

SordNodeRef canonical_literal(SordWorld* world, const char* lexical, const char* datatype,
                              const char* lang) {
  if (lang != nullptr && *lang != '\0') {
    std::string lower(lang);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; });
    return {world, sord_new_literal(world, nullptr, u8(lexical), lower.c_str())};
  }
  if (datatype == nullptr || *datatype == '\0' || vocab::xsd_string == datatype) {
    return {world, sord_new_literal(world, nullptr, u8(lexical), nullptr)};
  }
  SordNodeRef dt(world, sord_new_uri(world, u8(datatype)));
  return {world, sord_new_literal(world, dt.get(), u8(lexical), nullptr)};
}

SordNodeRef GraphStore::node_from_term(const Term& term) {
  SordWorld* w = world.get();
  switch (term.kind()) {
    case TermKind::iri: return {w, sord_new_uri(w, u8(term.value().c_str()))};
    case TermKind::blank: return {w, sord_new_blank(w, u8(term.value().c_str()))};
    case TermKind::literal:
      return canonical_literal(w, term.value().c_str(), term.datatype().c_str(),
                               term.language().c_str());
  }
  return {};
}

Term term_from_node(const SordNode* node) {
  const char* text = chars(sord_node_get_string(node));
  switch (sord_node_get_type(node)) {
    case SORD_URI: return Term::iri(text);
    case SORD_BLANK: return Term::blank(text);
    case SORD_LITERAL: {
      const SordNode* dt = sord_node_get_datatype(node);
      const char* lang = sord_node_get_language(node);
      return Term::literal(text, dt ? chars(sord_node_get_string(dt)) : "", lang ? lang : "");
    }
  }
  return Term::iri(text);
}

}  // namespace detail

namespace {

using detail::GraphStore;
using detail::SordIterPtr;
using detail::SordNodeRef;

std::string lower_extension(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; });
  return ext;
}

Result<std::string> read_whole_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return not_found("no such file: " + path.string());
  }
  if (!std::filesystem::is_regular_file(path, ec)) {
    return invalid_argument("not a regular file: " + path.string());
  }
  detail::FilePtr file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    const int err = errno;
    std::string message = "cannot open " + path.string() + ": " + std::strerror(err);
    return err == ENOENT ? not_found(std::move(message))
                         : failed_precondition(std::move(message));  // e.g. no permission
  }
  std::string text;
  char buf[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, file.get())) > 0) text.append(buf, n);
  if (std::ferror(file.get())) {
    return internal_error("error reading " + path.string() + ": " + std::strerror(errno));
  }
  return text;
}

// file:///absolute/path, percent-escaped, the base IRI of a parsed file.
std::string file_iri(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  if (ec) abs = path;
  detail::SerdNodeOwner uri(
      serd_node_new_file_uri(detail::u8(abs.string().c_str()), nullptr, nullptr, true));
  return uri.empty() ? "file://" + abs.string() : detail::chars(uri.get()->buf);
}

// Parses into a staging model (so a failed parse leaves the graph unchanged), then adds the
// staged triples. The first parse into an empty graph needs no blank-node prefix; later ones
// get "l<N>_" so their blank nodes stay distinct from earlier ones.
Result<void> load_into(GraphStore& g, std::string_view text, bool terminated, Syntax syntax,
                       std::string label, std::string base_iri) {
  detail::ParseSource source{text, terminated, std::move(label), std::move(base_iri), {}};
  if (g.loads > 0 || sord_num_quads(g.model.get()) > 0) {
    source.blank_prefix = "l" + std::to_string(g.loads) + "_";
  }
  const bool direct = sord_num_quads(g.model.get()) == 0;
  detail::SordModelPtr staging;
  if (!direct) staging = detail::new_model(g.world.get());
  SordModel* target = direct ? g.model.get() : staging.get();
  std::map<std::string, std::string> prefixes;
  Result<void> r =
      syntax == Syntax::rdfxml
          ? detail::read_rdfxml(g.world.get(), target, source, prefixes)
          : detail::read_serd(g.world.get(), target, source, syntax == Syntax::ntriples, prefixes);
  if (!r) {
    if (direct) g.model = detail::new_model(g.world.get());  // drop the partial parse
    return r;
  }
  if (!direct) {
    SordIterPtr it(sord_begin(staging.get()));
    for (; it && !sord_iter_end(it.get()); sord_iter_next(it.get())) {
      SordQuad quad;
      sord_iter_get(it.get(), quad);
      sord_add(g.model.get(), quad);
    }
  }
  for (auto& [prefix, iri] : prefixes) g.prefixes.insert_or_assign(prefix, std::move(iri));
  ++g.loads;
  return ok();
}

Result<void> load_file_into(GraphStore& g, const std::filesystem::path& path,
                            std::optional<Syntax> syntax) {
  if (!syntax) syntax = syntax_for_path(path);
  if (!syntax) {
    return invalid_argument("cannot tell the RDF syntax of " + path.string() +
                            " from its extension; use .ttl, .nt, .rdf, .owl or .xml, or pass "
                            "the syntax explicitly");
  }
  GRIDKE_ASSIGN_OR_RETURN(std::string text, read_whole_file(path));
  return load_into(g, text, true, *syntax, path.string(), file_iri(path));
}

SerdStatus write_statement(SerdWriter* writer, const SordQuad quad) {
  const SordNode* o = quad[SORD_OBJECT];
  const SordNode* dt = sord_node_get_datatype(o);
  const char* lang = sord_node_get_language(o);
  SerdNode lang_node =
      lang ? serd_node_from_string(SERD_LITERAL, detail::u8(lang)) : SERD_NODE_NULL;
  return serd_writer_write_statement(
      writer, 0, nullptr, sord_node_to_serd_node(quad[SORD_SUBJECT]),
      sord_node_to_serd_node(quad[SORD_PREDICATE]), sord_node_to_serd_node(o),
      dt ? sord_node_to_serd_node(dt) : nullptr, lang ? &lang_node : nullptr);
}

std::size_t append_to_string(const void* buf, std::size_t len, void* stream) noexcept {
  static_cast<std::string*>(stream)->append(static_cast<const char*>(buf), len);
  return len;
}

struct WriteErrors {
  std::optional<Error> first;
};

SerdStatus on_write_error(void* handle, const SerdError* e) noexcept {
  auto* errors = static_cast<WriteErrors*>(handle);
  if (!errors->first) {
    char buf[512];
    va_list args;
    va_copy(args, *e->args);
    std::vsnprintf(buf, sizeof buf, e->fmt, args);
    va_end(args);
    std::string message(buf);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    errors->first = internal_error("writing RDF failed: " + message);
  }
  return SERD_SUCCESS;
}

}  // namespace

std::optional<Syntax> syntax_for_path(const std::filesystem::path& path) {
  const std::string ext = lower_extension(path);
  if (ext == ".ttl") return Syntax::turtle;
  if (ext == ".nt") return Syntax::ntriples;
  if (ext == ".rdf" || ext == ".owl" || ext == ".xml") return Syntax::rdfxml;
  return std::nullopt;
}

struct Graph::Impl {
  GraphStore store;
};

Graph::Graph() : impl_(std::make_unique<Impl>()) {}
Graph::~Graph() = default;
Graph::Graph(Graph&&) noexcept = default;
Graph& Graph::operator=(Graph&&) noexcept = default;

Result<Graph> Graph::parse_file(const std::filesystem::path& path, std::optional<Syntax> syntax) {
  Graph graph;
  GRIDKE_TRY(load_file_into(graph.impl_->store, path, syntax));
  return graph;
}

Result<Graph> Graph::parse_string(std::string_view text, Syntax syntax, std::string_view base_iri) {
  Graph graph;
  GRIDKE_TRY(load_into(graph.impl_->store, text, false, syntax, "<string>", std::string(base_iri)));
  return graph;
}

// A moved-from Graph has no Impl; non-const calls give it a fresh one (it is then empty).
Result<void> Graph::load_file(const std::filesystem::path& path, std::optional<Syntax> syntax) {
  if (!impl_) impl_ = std::make_unique<Impl>();
  return load_file_into(impl_->store, path, syntax);
}

void Graph::add(const Triple& triple) {
  assert(!triple.subject.is_literal() && triple.predicate.is_iri());
  if (!impl_) impl_ = std::make_unique<Impl>();
  GraphStore& g = impl_->store;
  std::lock_guard lock(g.mutex);
  SordNodeRef s = g.node_from_term(triple.subject);
  SordNodeRef p = g.node_from_term(triple.predicate);
  SordNodeRef o = g.node_from_term(triple.object);
  const SordQuad quad = {s.get(), p.get(), o.get(), nullptr};
  sord_add(g.model.get(), quad);  // false for a duplicate, which is not an error here
}

std::size_t Graph::size() const {
  if (!impl_) return 0;
  std::lock_guard lock(impl_->store.mutex);
  return sord_num_quads(impl_->store.model.get());
}

bool Graph::contains(const Triple& triple) const {
  if (!impl_) return false;
  GraphStore& g = impl_->store;
  std::lock_guard lock(g.mutex);
  SordNodeRef s = g.node_from_term(triple.subject);
  SordNodeRef p = g.node_from_term(triple.predicate);
  SordNodeRef o = g.node_from_term(triple.object);
  const SordQuad quad = {s.get(), p.get(), o.get(), nullptr};
  return sord_contains(g.model.get(), quad);
}

std::vector<Triple> Graph::find(const std::optional<Term>& subject,
                                const std::optional<Term>& predicate,
                                const std::optional<Term>& object) const {
  std::vector<Triple> out;
  if (!impl_) return out;
  GraphStore& g = impl_->store;
  std::lock_guard lock(g.mutex);
  SordNodeRef s = subject ? g.node_from_term(*subject) : SordNodeRef();
  SordNodeRef p = predicate ? g.node_from_term(*predicate) : SordNodeRef();
  SordNodeRef o = object ? g.node_from_term(*object) : SordNodeRef();
  const SordQuad pattern = {s.get(), p.get(), o.get(), nullptr};
  SordIterPtr it(sord_find(g.model.get(), pattern));
  for (; it && !sord_iter_end(it.get()); sord_iter_next(it.get())) {
    SordQuad quad;
    sord_iter_get(it.get(), quad);
    out.push_back({subject ? *subject : detail::term_from_node(quad[SORD_SUBJECT]),
                   predicate ? *predicate : detail::term_from_node(quad[SORD_PREDICATE]),
                   detail::term_from_node(quad[SORD_OBJECT])});
  }
  return out;
}

const std::map<std::string, std::string>& Graph::prefixes() const {
  static const std::map<std::string, std::string> none;
  return impl_ ? impl_->store.prefixes : none;
}

void Graph::set_prefix(std::string prefix, std::string iri) {
  if (!impl_) impl_ = std::make_unique<Impl>();
  impl_->store.prefixes.insert_or_assign(std::move(prefix), std::move(iri));
}

Result<std::string> Graph::write(Syntax syntax) const {
  if (syntax == Syntax::rdfxml) {
    return invalid_argument("writing RDF/XML is not supported; write Turtle or N-Triples");
  }
  std::string out;
  if (!impl_) return out;
  GraphStore& g = impl_->store;
  std::lock_guard lock(g.mutex);
  const bool turtle = syntax == Syntax::turtle;
  detail::SerdEnvPtr env(serd_env_new(nullptr));
  const auto style = static_cast<SerdStyle>(turtle ? SERD_STYLE_ABBREVIATED | SERD_STYLE_CURIED
                                                   : SERD_STYLE_ASCII);
  detail::SerdWriterPtr writer(serd_writer_new(turtle ? SERD_TURTLE : SERD_NTRIPLES, style,
                                               env.get(), nullptr, append_to_string, &out));
  WriteErrors errors;
  serd_writer_set_error_sink(writer.get(), on_write_error, &errors);
  if (turtle) {
    for (const auto& [prefix, iri] : g.prefixes) {
      SerdNode name = serd_node_from_string(SERD_LITERAL, detail::u8(prefix.c_str()));
      SerdNode uri = serd_node_from_string(SERD_URI, detail::u8(iri.c_str()));
      if (serd_writer_set_prefix(writer.get(), &name, &uri) != SERD_SUCCESS) {
        return invalid_argument("cannot write prefix '" + prefix + "' for <" + iri + ">");
      }
    }
  }
  // sord_begin iterates in SPO order, so a subject's triples are adjacent and abbreviate well.
  SordIterPtr it(sord_begin(g.model.get()));
  for (; it && !sord_iter_end(it.get()); sord_iter_next(it.get())) {
    SordQuad quad;
    sord_iter_get(it.get(), quad);
    const SerdStatus st = write_statement(writer.get(), quad);
    if (st != SERD_SUCCESS) {
      if (errors.first) return *errors.first;
      return internal_error(std::string("writing RDF failed: ") + detail::chars(serd_strerror(st)));
    }
  }
  serd_writer_finish(writer.get());
  if (errors.first) return *errors.first;
  return out;
}

}  // namespace gridke::rdf
