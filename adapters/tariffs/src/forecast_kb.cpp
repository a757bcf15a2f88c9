#include "gridke/adapters/tariffs/forecast_kb.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

#include "gridke/adapter/codec.hpp"
#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/rdf/vocabulary.hpp"
#include "gridke/services/tariffs/tariff_service.hpp"

namespace gridke::adapters::tariffs {
namespace forecast_kb_detail {

namespace tf = services::tariffs;
using ZoneDay = std::pair<std::string, std::chrono::sys_days>;

Result<std::vector<double>> json_numbers(const nlohmann::json& j, const std::string& path,
                                         const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_array()) {
    return invalid_argument(path + "." + key + ": must be an array of numbers");
  }
  std::vector<double> out;
  out.reserve(it->size());
  for (std::size_t i = 0; i < it->size(); ++i) {
    const auto& v = (*it)[i];
    if (!v.is_number()) {
      return invalid_argument(path + "." + key + "[" + std::to_string(i) + "]: must be a number");
    }
    out.push_back(v.get<double>());
  }
  return out;
}

std::vector<std::string_view> split_csv_line(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto comma = line.find(',', start);
    auto cell = line.substr(start, comma == std::string_view::npos ? comma : comma - start);
    while (!cell.empty() && (cell.front() == ' ' || cell.front() == '\t')) cell.remove_prefix(1);
    while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\t' || cell.back() == '\r')) {
      cell.remove_suffix(1);
    }
    out.push_back(cell);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

Result<double> csv_number(std::string_view cell, const std::string& where) {
  const std::string text(cell);
  char* end = nullptr;
  const double x = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) {
    return invalid_argument(where + ": '" + text + "' is not a number");
  }
  return x;
}

struct KbForecast {
  tf::LoadForecast forecast;
  pattern::BindingSet bindings;
};

}  // namespace forecast_kb_detail

Result<std::vector<services::tariffs::LoadForecast>> parse_forecast_json(std::string_view text,
                                                                         std::string_view name) {
  namespace d = forecast_kb_detail;
  const std::string file(name);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return parse_error(file + ": not JSON: " + e.what());
  }
  if (!doc.is_object() || !doc.contains("forecasts") || !doc["forecasts"].is_array()) {
    return invalid_argument(file + ": expected an object with a \"forecasts\" array");
  }
  std::vector<services::tariffs::LoadForecast> out;
  std::map<d::ZoneDay, std::size_t> seen;
  const auto& list = doc["forecasts"];
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = file + ": forecasts[" + std::to_string(i) + "]";
    const auto& item = list[i];
    if (!item.is_object()) return invalid_argument(path + ": must be an object");
    for (const auto& [key, value] : item.items()) {
      if (key != "zone" && key != "day" && key != "baseline_kw" && key != "controllable_kw") {
        return invalid_argument(path + "." + key +
                                ": unknown member (zone, day, baseline_kw, controllable_kw)");
      }
    }
    services::tariffs::LoadForecast f;
    if (!item.contains("zone") || !item["zone"].is_string()) {
      return invalid_argument(path + ".zone: must be a string");
    }
    f.zone = item["zone"].get<std::string>();
    if (!item.contains("day") || !item["day"].is_string()) {
      return invalid_argument(path + ".day: must be a string YYYY-MM-DD");
    }
    GRIDKE_ASSIGN_OR_RETURN(
        f.day, services::tariffs::parse_day(item["day"].get<std::string>(), path + ".day"));
    GRIDKE_ASSIGN_OR_RETURN(f.baseline_kw, d::json_numbers(item, path, "baseline_kw"));
    GRIDKE_ASSIGN_OR_RETURN(f.controllable_kw, d::json_numbers(item, path, "controllable_kw"));
    if (auto c = services::tariffs::check_load_forecast(f); !c) return c.error().with_context(path);
    if (auto [it, fresh] = seen.emplace(d::ZoneDay{f.zone, f.day}, i); !fresh) {
      return invalid_argument(path + ": zone '" + f.zone + "' on " +
                              services::tariffs::format_day(f.day) + " is already forecasts[" +
                              std::to_string(it->second) + "]");
    }
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<services::tariffs::LoadForecast>> parse_forecast_csv(std::string_view text,
                                                                        std::string_view name) {
  namespace d = forecast_kb_detail;
  using namespace std::chrono;
  const std::string file(name);
  // zone day → quarter → (baseline, controllable, line)
  struct Row {
    double baseline = 0, controllable = 0;
    std::size_t line = 0;
  };
  std::map<d::ZoneDay, std::map<std::size_t, Row>> days_seen;
  std::size_t line_no = 0;
  bool header = false;
  const adapter::DateTimeCodec time_codec{true};
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto nl = text.find('\n', pos);
    const auto line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    const auto cells = d::split_csv_line(line);
    if (cells.size() == 1 && cells[0].empty()) continue;  // blank line
    const std::string where = file + ":" + std::to_string(line_no);
    if (!header) {
      if (cells.size() != 4 || cells[0] != "zone" || cells[1] != "quarter_start" ||
          cells[2] != "baseline_kw" || cells[3] != "controllable_kw") {
        return invalid_argument(where +
                                ": expected the header zone,quarter_start,baseline_kw,"
                                "controllable_kw");
      }
      header = true;
      continue;
    }
    if (cells.size() != 4) {
      return invalid_argument(where + ": " + std::to_string(cells.size()) +
                              " columns, expected 4 (zone,quarter_start,baseline_kw,"
                              "controllable_kw)");
    }
    if (cells[0].empty()) return invalid_argument(where + ": column zone is empty");
    auto start = time_codec.decode(
        rdf::Term::literal(std::string(cells[1]), std::string(rdf::vocab::xsd_date_time)));
    if (!start) {
      return invalid_argument(where + ": column quarter_start: " + start.error().message());
    }
    const auto day = floor<days>(*start);
    const auto offset = *start - sys_time<system_clock::duration>(day);
    const auto offset_min = duration_cast<minutes>(offset);
    if (offset != duration_cast<system_clock::duration>(offset_min) ||
        offset_min.count() % 15 != 0) {
      return invalid_argument(where + ": column quarter_start: " + std::string(cells[1]) +
                              " is not on the quarter-hour grid");
    }
    Row row;
    row.line = line_no;
    GRIDKE_ASSIGN_OR_RETURN(row.baseline, d::csv_number(cells[2], where + ": column baseline_kw"));
    GRIDKE_ASSIGN_OR_RETURN(row.controllable,
                            d::csv_number(cells[3], where + ": column controllable_kw"));
    const auto q = static_cast<std::size_t>(offset_min.count() / 15);
    auto& quarters = days_seen[{std::string(cells[0]), day}];
    if (auto [it, fresh] = quarters.emplace(q, row); !fresh) {
      return invalid_argument(where + ": zone '" + std::string(cells[0]) + "' at " +
                              std::string(cells[1]) + " is already on line " +
                              std::to_string(it->second.line));
    }
  }
  if (!header) return invalid_argument(file + ": empty (no header line)");
  std::vector<services::tariffs::LoadForecast> out;
  for (const auto& [key, quarters] : days_seen) {
    services::tariffs::LoadForecast f;
    f.zone = key.first;
    f.day = key.second;
    std::string missing;
    std::size_t n_missing = 0;
    for (std::size_t q = 0; q < services::tariffs::kQuartersPerDay; ++q) {
      const auto it = quarters.find(q);
      if (it == quarters.end()) {
        if (n_missing++ < 6) {
          missing += (missing.empty() ? "" : ", ") + services::tariffs::quarter_label(q);
        }
        continue;
      }
      f.baseline_kw.push_back(it->second.baseline);
      f.controllable_kw.push_back(it->second.controllable);
    }
    if (n_missing > 0) {
      return invalid_argument(file + ": zone '" + f.zone + "' on " +
                              services::tariffs::format_day(f.day) + " misses " +
                              std::to_string(n_missing) + " of 96 quarter hours (" + missing +
                              (n_missing > 6 ? ", ..." : "") + ")");
    }
    if (auto c = services::tariffs::check_load_forecast(f); !c) return c.error().with_context(file);
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<services::tariffs::LoadForecast>> load_forecast_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("forecast file '" + path + "' cannot be opened");
  std::ostringstream text;
  text << in.rdbuf();
  const auto ends_with = [&](std::string_view ext) {
    return path.size() >= ext.size() &&
           path.compare(path.size() - ext.size(), ext.size(), ext) == 0;
  };
  if (ends_with(".json")) return parse_forecast_json(text.str(), path);
  if (ends_with(".csv")) return parse_forecast_csv(text.str(), path);
  return invalid_argument("forecast file '" + path + "': expected a .json or .csv file");
}

struct ForecastKb::Impl {
  ForecastKbOptions options;
  std::map<forecast_kb_detail::ZoneDay, forecast_kb_detail::KbForecast> forecasts;
  std::unique_ptr<adapter::GenericAdapter> adapter;
  std::atomic<std::int64_t> asks{0};

  // Every forecast binding compatible with one ask binding (an empty ask set gets all);
  // ?zoneId, when bound, preselects the zone.
  Result<pattern::BindingSet> on_ask(const adapter::Request& req) {
    pattern::BindingSet out;
    if (req.bindings().empty()) {
      for (const auto& [key, f] : forecasts) out.insert_all(f.bindings);
    }
    for (const auto& asked : req.bindings()) {
      std::optional<std::string> zone;
      if (asked.find("zoneId") != nullptr) {
        GRIDKE_ASSIGN_OR_RETURN(
            zone, adapter::get(asked, "zoneId", adapter::StringCodec{}, kAnswerLoadForecast));
      }
      for (const auto& [key, f] : forecasts) {
        if (zone && key.first != *zone) continue;
        for (const auto& b : f.bindings) {
          if (b.is_compatible_with(asked)) out.insert(b);
        }
      }
    }
    ++asks;
    return out;
  }
};

ForecastKb::ForecastKb(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ForecastKb::~ForecastKb() {
  if (impl_ && impl_->adapter) (void)impl_->adapter->stop();
}

Result<std::unique_ptr<ForecastKb>> ForecastKb::start(
    engine::KnowledgeEngine& engine, const adapter::ContractSet& contracts,
    std::vector<services::tariffs::LoadForecast> forecasts, ForecastKbOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  for (auto& f : forecasts) {
    GRIDKE_ASSIGN_OR_RETURN(auto bindings, load_forecast_bindings(f, impl->options.iris));
    forecast_kb_detail::ZoneDay key{f.zone, f.day};
    if (impl->forecasts.count(key) != 0) {
      return invalid_argument("forecast KB: zone '" + f.zone + "' on " +
                              services::tariffs::format_day(f.day) + " is given twice");
    }
    impl->forecasts.emplace(std::move(key),
                            forecast_kb_detail::KbForecast{std::move(f), std::move(bindings)});
  }
  Impl* raw = impl.get();
  adapter::Ssa ssa(
      raw->options.knowledge_base_id, raw->options.name,
      "Day-ahead load forecasts per grid zone and quarter hour (D4.3 Table 16 step 1)");
  ssa.answer(kAnswerLoadForecast, [raw](const adapter::Request& r) { return raw->on_ask(r); });
  GRIDKE_ASSIGN_OR_RETURN(impl->adapter,
                          adapter::GenericAdapter::start(engine, contracts, std::move(ssa)));
  return std::unique_ptr<ForecastKb>(new ForecastKb(std::move(impl)));
}

std::size_t ForecastKb::zone_days() const noexcept { return impl_->forecasts.size(); }
std::int64_t ForecastKb::asks_answered() const noexcept { return impl_->asks.load(); }
const std::string& ForecastKb::knowledge_base_id() const noexcept {
  return impl_->options.knowledge_base_id;
}

}  // namespace gridke::adapters::tariffs
