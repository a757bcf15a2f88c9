#include "gridke/ontology/report.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

namespace gridke::ontology {

std::string_view to_string(Severity s) noexcept {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "error";
}

int Report::count(Severity s) const noexcept {
  int n = 0;
  for (const auto& f : findings) n += f.severity == s ? 1 : 0;
  return n;
}

std::string format_text(const Report& report, bool with_notes) {
  std::ostringstream out;
  for (const auto& f : report.findings) {
    if (f.severity == Severity::note && !with_notes) continue;
    out << f.file;
    if (f.line > 0) out << ":" << f.line << ":" << f.column;
    out << ": " << to_string(f.severity) << ": " << f.message << " [" << f.check << "]\n";
    if (!f.fix.empty()) out << "  fix: " << f.fix << "\n";
  }
  if (!report.pairings.empty()) {
    out << "\nPairing at level " << report.level << ":\n";
    for (const auto& p : report.pairings) {
      out << "  " << p.ki.kind << " " << p.ki.name << " -> ";
      if (p.matches.empty()) {
        out << "(none)";
      } else {
        for (std::size_t i = 0; i < p.matches.size(); ++i) {
          out << (i == 0 ? "" : ", ") << p.matches[i].kind << " " << p.matches[i].name;
        }
      }
      out << "\n";
      for (const auto& n : p.nearest) {
        out << "    nearest: " << n.candidate.kind << " " << n.candidate.name << " (" << n.covered
            << "/" << n.total << " triples covered)\n";
        for (const auto& t : n.only_in_ki)
          out << "      - only in " << p.ki.name << ": " << t << "\n";
        for (const auto& t : n.only_in_candidate) {
          out << "      + only in " << n.candidate.name << ": " << t << "\n";
        }
      }
    }
  }
  out << "\n"
      << report.files << " file(s), " << report.contracts << " contract(s), " << report.patterns
      << " bare pattern(s): " << report.count(Severity::error) << " error(s), "
      << report.count(Severity::warning) << " warning(s), " << report.count(Severity::note)
      << " note(s)";
  if (!with_notes && report.count(Severity::note) > 0) out << " (notes hidden; --notes shows them)";
  out << "\n";
  return out.str();
}

std::string format_json(const Report& report) {
  using nlohmann::json;
  json findings = json::array();
  for (const auto& f : report.findings) {
    findings.push_back({{"file", f.file},
                        {"line", f.line},
                        {"column", f.column},
                        {"severity", std::string(to_string(f.severity))},
                        {"check", f.check},
                        {"message", f.message},
                        {"fix", f.fix}});
  }
  auto ki = [](const KiRef& r) {
    return json{{"name", r.name}, {"kind", r.kind}, {"file", r.file}};
  };
  json pairings = json::array();
  for (const auto& p : report.pairings) {
    json matches = json::array();
    for (const auto& m : p.matches) matches.push_back(ki(m));
    json nearest = json::array();
    for (const auto& n : p.nearest) {
      nearest.push_back({{"candidate", ki(n.candidate)},
                         {"covered", n.covered},
                         {"total", n.total},
                         {"onlyInKi", n.only_in_ki},
                         {"onlyInCandidate", n.only_in_candidate}});
    }
    pairings.push_back({{"ki", ki(p.ki)}, {"matches", matches}, {"nearest", nearest}});
  }
  json out = {{"level", report.level},
              {"findings", findings},
              {"pairings", pairings},
              {"summary",
               {{"files", report.files},
                {"contracts", report.contracts},
                {"patterns", report.patterns},
                {"errors", report.count(Severity::error)},
                {"warnings", report.count(Severity::warning)},
                {"notes", report.count(Severity::note)}}}};
  return out.dump(2) + "\n";
}

}  // namespace gridke::ontology
