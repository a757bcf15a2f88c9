// PROV-O Turtle export of the audit trail (audit_trail.hpp, docs/security.md).
#include <set>

#include "gridke/audit/audit_trail.hpp"

namespace gridke::audit {

namespace {

// An IRI term, or a plain literal when the text could not be written as an IRI (engine ids
// are checked IRIs, so this is defensive).
std::string iri_or_literal(const std::string& text);

std::string literal(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

std::string iri_or_literal(const std::string& text) {
  bool ok = !text.empty() && text.find(':') != std::string::npos;
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 ||
        std::string_view("<>\"{}|\\^`").find(c) != std::string_view::npos) {
      ok = false;
    }
  }
  return ok ? "<" + text + ">" : literal(text);
}

std::string date_time(const std::string& iso) { return literal(iso) + "^^xsd:dateTime"; }

}  // namespace

Result<void> export_prov(const std::string& path, std::ostream& out) {
  GRIDKE_ASSIGN_OR_RETURN(auto entries, read_audit(path));
  out << "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
         "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
         "@prefix gka: <https://w3id.org/gridke/audit#> .\n"
         "@prefix entry: <urn:gridke:audit:entry:> .\n\n";
  std::set<std::string> agents;
  for (const auto& e : entries) {
    const std::string self = "entry:" + std::to_string(e.seq);
    out << self << " a prov:Activity , gka:Exchange ;\n"
        << "  prov:startedAtTime " << date_time(e.start) << " ;\n"
        << "  prov:endedAtTime " << date_time(e.end) << " ;\n"
        << "  prov:wasAssociatedWith " << iri_or_literal(e.requesting_knowledge_base) << " ;\n"
        << "  gka:requestingInteraction " << iri_or_literal(e.requesting_interaction) << " ;\n"
        << "  gka:kind " << literal(e.kind) << " ;\n"
        << "  gka:outcome " << literal(e.outcome) << " ;\n";
    if (!e.outcome_detail.empty())
      out << "  gka:outcomeDetail " << literal(e.outcome_detail) << " ;\n";
    out << "  gka:requestDigest " << literal(e.request_digest) << " ;\n"
        << "  gka:resultDigest " << literal(e.result_digest) << " ;\n";
    if (e.seq > 1) out << "  prov:wasInformedBy entry:" << e.seq - 1 << " ;\n";
    for (const auto& c : e.contacted) {
      out << "  prov:qualifiedAssociation [ a prov:Association ;\n"
          << "    prov:agent " << iri_or_literal(c.knowledge_base) << " ;\n"
          << "    prov:hadRole gka:Responder ;\n"
          << "    gka:interaction " << iri_or_literal(c.knowledge_interaction) << " ;\n"
          << "    gka:status " << literal(c.status);
      if (!c.reason.empty()) out << " ;\n    gka:reason " << literal(c.reason);
      out << " ] ;\n";
      agents.insert(c.knowledge_base);
    }
    out << "  gka:previousHash " << literal(e.previous_hash) << " ;\n"
        << "  gka:hash " << literal(e.hash) << " .\n\n";
    agents.insert(e.requesting_knowledge_base);
  }
  for (const auto& a : agents) {
    std::string term = iri_or_literal(a);
    if (term.front() == '<') out << term << " a prov:Agent .\n";
  }
  if (!out) return unavailable("Cannot write the audit export");
  return ok();
}

}  // namespace gridke::audit
