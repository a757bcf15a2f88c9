#include "wire.hpp"

#include <cstdio>
#include <ctime>
#include <utility>
#include <vector>

namespace gridke::engine::wire {
namespace {

const char* type_name(const Json& j) { return j.type_name(); }

std::string field_error(std::string_view object, std::string_view field, std::string_view want,
                        const Json& got) {
  return std::string(object) + " property '" + std::string(field) + "' must be " +
         std::string(want) + ", not " + type_name(got) + ".";
}

const Json* member(const Json& object, std::string_view field) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::string> required_string(const Json& object, std::string_view schema,
                                    std::string_view field) {
  const Json* v = member(object, field);
  if (v == nullptr) {
    return invalid_argument("Missing required property '" + std::string(field) + "' in " +
                            std::string(schema) + ".");
  }
  if (!v->is_string()) return invalid_argument(field_error(schema, field, "a string", *v));
  return v->get<std::string>();
}

// Integers may come as JSON numbers or, as Jackson coerces them, as numeric strings.
Result<std::optional<long long>> optional_int(const Json& object, std::string_view schema,
                                              std::string_view field) {
  const Json* v = member(object, field);
  if (v == nullptr) return std::optional<long long>{};
  if (v->is_number_integer()) return std::optional<long long>{v->get<long long>()};
  if (v->is_string()) {
    const auto& s = v->get_ref<const std::string&>();
    char* end = nullptr;
    long long n = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && end == s.c_str() + s.size()) return std::optional<long long>{n};
  }
  return invalid_argument(field_error(schema, field, "an integer", *v));
}

Result<std::vector<std::string>> string_array(const Json& v, std::string_view schema,
                                              std::string_view field) {
  if (!v.is_array()) return invalid_argument(field_error(schema, field, "an array of strings", v));
  std::vector<std::string> out;
  out.reserve(v.size());
  for (const auto& item : v) {
    if (!item.is_string()) {
      return invalid_argument(field_error(schema, field, "an array of strings", v) +
                              " Found an element of type " + type_name(item) + ".");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::optional<pattern::GraphPattern>> optional_pattern(const Json& object,
                                                              std::string_view field,
                                                              const pattern::PrefixMap& prefixes) {
  const Json* v = member(object, field);
  if (v == nullptr) return std::optional<pattern::GraphPattern>{};
  if (!v->is_string()) {
    return invalid_argument(field_error("KnowledgeInteraction", field, "a string", *v));
  }
  auto parsed = pattern::GraphPattern::parse(v->get_ref<const std::string&>(), prefixes);
  if (!parsed) {
    // NOTES.md §1.4 POST /sc/ki: "Invalid graph pattern: <msg>" plus the prefixes note when
    // the message is about a prefix.
    std::string msg = "Invalid graph pattern: " + parsed.error().to_string();
    static constexpr std::string_view note =
        "Note: Have you included your prefixes in the 'prefixes' property?";
    if (msg.find("prefix") != std::string::npos && msg.find(note) == std::string::npos) {
      msg += ". ";
      msg += note;
    }
    return invalid_argument(std::move(msg));
  }
  return std::optional<pattern::GraphPattern>{std::move(parsed).value()};
}

Json act_to_json(const ki::CommunicativeAct& act) {
  return Json{{"requiredPurposes", act.required_purposes},
              {"satisfiedPurposes", act.satisfied_purposes}};
}

Result<ki::CommunicativeAct> act_from_json(const Json& object) {
  const Json* v = member(object, "communicativeAct");
  if (v == nullptr) return ki::CommunicativeAct::inform();
  if (!v->is_object()) {
    return invalid_argument(
        field_error("KnowledgeInteraction", "communicativeAct", "an object", *v));
  }
  ki::CommunicativeAct act;
  for (auto [field, target] : {std::pair{"requiredPurposes", &act.required_purposes},
                               std::pair{"satisfiedPurposes", &act.satisfied_purposes}}) {
    const Json* list = member(*v, field);
    if (list == nullptr) {
      return invalid_argument(std::string("Missing required property '") + field +
                              "' in CommunicativeAct.");
    }
    GRIDKE_ASSIGN_OR_RETURN(*target, string_array(*list, "CommunicativeAct", field));
  }
  return act;
}

std::string_view status_text(ExchangeStatus s) {
  return s == ExchangeStatus::succeeded ? "SUCCEEDED" : "FAILED";
}

Json exchange_info_common(const ExchangeInfo& e) {
  Json j{{"initiator", e.initiator == Initiator::reasoner ? "reasoner" : "knowledgeBase"},
         {"knowledgeBaseId", e.knowledge_base_id},
         {"knowledgeInteractionId", e.knowledge_interaction_id},
         {"exchangeStart", format_time(e.exchange_start)},
         {"exchangeEnd", format_time(e.exchange_end)},
         {"status", status_text(e.status)}};
  if (e.status == ExchangeStatus::failed || !e.failed_message.empty()) {
    j["failedMessage"] = e.failed_message;
  }
  return j;
}

Result<ExchangeInfo> exchange_info_from_json(const Json& j) {
  if (!j.is_object()) return invalid_argument("exchangeInfo entries must be objects");
  ExchangeInfo e;
  GRIDKE_ASSIGN_OR_RETURN(auto initiator, required_string(j, "ExchangeInfo", "initiator"));
  e.initiator = initiator == "reasoner" ? Initiator::reasoner : Initiator::knowledge_base;
  GRIDKE_ASSIGN_OR_RETURN(e.knowledge_base_id,
                          required_string(j, "ExchangeInfo", "knowledgeBaseId"));
  GRIDKE_ASSIGN_OR_RETURN(e.knowledge_interaction_id,
                          required_string(j, "ExchangeInfo", "knowledgeInteractionId"));
  GRIDKE_ASSIGN_OR_RETURN(auto start, required_string(j, "ExchangeInfo", "exchangeStart"));
  GRIDKE_ASSIGN_OR_RETURN(e.exchange_start, parse_time(start));
  GRIDKE_ASSIGN_OR_RETURN(auto end, required_string(j, "ExchangeInfo", "exchangeEnd"));
  GRIDKE_ASSIGN_OR_RETURN(e.exchange_end, parse_time(end));
  GRIDKE_ASSIGN_OR_RETURN(auto status, required_string(j, "ExchangeInfo", "status"));
  e.status = status == "SUCCEEDED" ? ExchangeStatus::succeeded : ExchangeStatus::failed;
  GRIDKE_ASSIGN_OR_RETURN(auto failed, optional_string(j, "failedMessage"));
  e.failed_message = failed.value_or("");
  return e;
}

Result<pattern::BindingSet> optional_binding_set(const Json& object, std::string_view field) {
  const Json* v = member(object, field);
  if (v == nullptr) return pattern::BindingSet{};
  return binding_set_from_json(*v);
}

}  // namespace

Result<Json> parse_json(std::string_view text) {
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    // parse_error, and out_of_range for numbers such as 1e999999.
    return parse_error(std::string("Malformed JSON body: ") + e.what());
  }
}

std::string format_time(Clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  int millis = static_cast<int>(ms % 1000);
  if (millis < 0) {
    millis += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+00:00", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

Result<Clock::time_point> parse_time(std::string_view text) {
  std::string s(text);
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return parse_error("Invalid RFC 3339 date-time: '" + s + "'");
  }
  // Clock counts nanoseconds in 64 bits: years 1678–2261 only (found by gridke_ke_wire_fuzz:
  // "4052-11-27T10:15:00.5+01:30" overflowed the conversion).
  if (tm.tm_year < 1678 || tm.tm_year > 2261) {
    return parse_error("Date-time out of range (years 1678 to 2261): '" + s + "'");
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::size_t pos = 19;
  long long millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    for (; digits < 3; ++digits) millis *= 10;
  }
  long long offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
    int hh = 0;
    int mm = 0;
    if (std::sscanf(s.c_str() + pos + 1, "%2d:%2d", &hh, &mm) != 2) {
      return parse_error("Invalid time-zone offset in date-time: '" + s + "'");
    }
    offset_s = (hh * 3600LL + mm * 60LL) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  }
  if (pos != s.size()) return parse_error("Invalid RFC 3339 date-time: '" + s + "'");
  std::time_t secs = timegm(&tm) - offset_s;
  return Clock::time_point(std::chrono::milliseconds(secs * 1000LL + millis));
}

Result<bool> optional_bool(const Json& object, std::string_view field, bool fallback) {
  const Json* v = member(object, field);
  if (v == nullptr) return fallback;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_string()) {
    const auto& s = v->get_ref<const std::string&>();
    if (s == "true") return true;
    if (s == "false") return false;
  }
  return invalid_argument("Property '" + std::string(field) +
                          "' must be a boolean (true/false or \"true\"/\"false\"), not " +
                          v->dump() + ".");
}

Result<std::optional<std::string>> optional_string(const Json& object, std::string_view field) {
  const Json* v = member(object, field);
  if (v == nullptr) return std::optional<std::string>{};
  if (!v->is_string()) {
    return invalid_argument("Property '" + std::string(field) + "' must be a string, not " +
                            type_name(*v) + ".");
  }
  return std::optional<std::string>{v->get<std::string>()};
}

Result<pattern::BindingSet> binding_set_from_json(const Json& json) {
  static constexpr std::string_view shape =
      "The BindingSet should be a valid JSON array with Bindings.";
  if (!json.is_array()) {
    return invalid_argument(std::string(shape) + " Got " + type_name(json) + ".");
  }
  pattern::BindingSet out;
  out.reserve(json.size());
  std::vector<std::pair<std::string, std::string>> wire;
  std::size_t index = 0;
  for (const auto& item : json) {
    if (item.is_null()) return invalid_argument("Bindings must be non-null.");
    if (!item.is_object()) {
      return invalid_argument(std::string(shape) + " Binding " + std::to_string(index) + " is " +
                              type_name(item) + ", not an object.");
    }
    wire.clear();
    wire.reserve(item.size());
    for (const auto& [key, value] : item.items()) {
      if (value.is_string()) {
        wire.emplace_back(key, value.get<std::string>());
      } else if (value.is_number() || value.is_boolean()) {
        // Jackson coerces scalars to strings; the term parser then reads bare numbers/booleans.
        wire.emplace_back(key, value.dump());
      } else {
        return invalid_argument(std::string(shape) + " Binding " + std::to_string(index) +
                                ", variable '" + key + "': the value must be a string, not " +
                                type_name(value) + ".");
      }
    }
    auto binding = pattern::parse_binding(wire);
    if (!binding) {
      Error e = std::move(binding).error();
      return Error(ErrorCode::invalid_argument, e.to_string());
    }
    out.insert(std::move(binding).value());
    ++index;
  }
  return out;
}

Json binding_set_to_json(const pattern::BindingSet& bindings) {
  Json arr = Json::array();
  for (const auto& b : bindings) {
    Json obj = Json::object();
    for (const auto& [name, term] : b.values()) obj[name] = term.to_string();
    arr.push_back(std::move(obj));
  }
  return arr;
}

Result<KnowledgeBaseInfo> knowledge_base_from_json(const Json& json) {
  if (!json.is_object()) {
    return invalid_argument(std::string("The body must be a SmartConnector JSON object, not ") +
                            type_name(json) + ".");
  }
  KnowledgeBaseInfo info;
  GRIDKE_ASSIGN_OR_RETURN(info.id, required_string(json, "SmartConnector", "knowledgeBaseId"));
  GRIDKE_ASSIGN_OR_RETURN(info.name, required_string(json, "SmartConnector", "knowledgeBaseName"));
  GRIDKE_ASSIGN_OR_RETURN(info.description,
                          required_string(json, "SmartConnector", "knowledgeBaseDescription"));
  GRIDKE_ASSIGN_OR_RETURN(auto lease, optional_int(json, "SmartConnector", "leaseRenewalTime"));
  if (lease) {
    if (*lease < 30 || *lease > 3600) {
      return invalid_argument("leaseRenewalTime must be between 30 and 3600 seconds, not " +
                              std::to_string(*lease) + ".");
    }
    info.lease_renewal_time_s = static_cast<int>(*lease);
  }
  GRIDKE_ASSIGN_OR_RETURN(auto level, optional_int(json, "SmartConnector", "reasonerLevel"));
  if (level) {
    if (*level < 1 || *level > 5) {
      return invalid_argument("The reasoner level should be between 1 and 5, inclusive and not " +
                              std::to_string(*level));
    }
    info.reasoner_level = static_cast<int>(*level);
  }
  return info;
}

Json knowledge_base_to_json(const KnowledgeBaseInfo& info) {
  Json j{{"knowledgeBaseId", info.id},
         {"knowledgeBaseName", info.name},
         {"knowledgeBaseDescription", info.description}};
  if (info.lease_renewal_time_s) j["leaseRenewalTime"] = *info.lease_renewal_time_s;
  j["reasonerLevel"] = info.reasoner_level;
  return j;
}

Result<ki::KnowledgeInteraction> knowledge_interaction_from_json(const Json& json) {
  if (!json.is_object()) {
    return invalid_argument(
        std::string("The body must be a KnowledgeInteraction JSON object, not ") + type_name(json) +
        ".");
  }
  GRIDKE_ASSIGN_OR_RETURN(
      auto type, required_string(json, "KnowledgeInteraction", "knowledgeInteractionType"));
  auto kind = ki::parse_ki_kind(type);
  if (!kind) return invalid_argument("Unexpected value for knowledgeInteractionType: " + type);
  ki::KnowledgeInteraction out;
  out.kind = *kind;
  GRIDKE_ASSIGN_OR_RETURN(auto name, optional_string(json, "knowledgeInteractionName"));
  out.name = name.value_or("");
  if (const Json* p = member(json, "prefixes")) {
    if (!p->is_object()) {
      return invalid_argument(field_error("KnowledgeInteraction", "prefixes", "an object", *p));
    }
    for (const auto& [prefix, ns] : p->items()) {
      if (!ns.is_string()) {
        return invalid_argument("Prefix '" + prefix + "' must map to a namespace IRI string, not " +
                                type_name(ns) + ".");
      }
      out.prefixes[prefix] = ns.get<std::string>();
    }
  }
  GRIDKE_ASSIGN_OR_RETURN(out.knowledge_gaps_enabled,
                          optional_bool(json, "knowledgeGapsEnabled", false));
  GRIDKE_ASSIGN_OR_RETURN(out.include_meta_kis, optional_bool(json, "includeMetaKIs", false));
  GRIDKE_ASSIGN_OR_RETURN(out.act, act_from_json(json));
  if (out.kind == ki::KiKind::ask || out.kind == ki::KiKind::answer) {
    GRIDKE_ASSIGN_OR_RETURN(out.pattern, optional_pattern(json, "graphPattern", out.prefixes));
  } else {
    GRIDKE_ASSIGN_OR_RETURN(out.pattern,
                            optional_pattern(json, "argumentGraphPattern", out.prefixes));
    GRIDKE_ASSIGN_OR_RETURN(out.result_pattern,
                            optional_pattern(json, "resultGraphPattern", out.prefixes));
  }
  GRIDKE_TRY(out.validate());
  return out;
}

Json knowledge_interaction_to_json(const RegisteredKi& registered) {
  const auto& d = registered.definition;
  Json j{{"knowledgeInteractionId", registered.id},
         {"knowledgeInteractionType", ki::to_string(d.kind)}};
  if (!d.name.empty()) j["knowledgeInteractionName"] = d.name;
  j["knowledgeGapsEnabled"] = d.knowledge_gaps_enabled;
  j["communicativeAct"] = act_to_json(d.act);
  if (d.kind == ki::KiKind::ask || d.kind == ki::KiKind::answer) {
    if (d.pattern) j["graphPattern"] = d.pattern->canonical();
  } else {
    if (d.pattern) j["argumentGraphPattern"] = d.pattern->canonical();
    if (d.result_pattern) j["resultGraphPattern"] = d.result_pattern->canonical();
  }
  return j;
}

Result<RegisteredKi> registered_ki_from_json(const Json& json) {
  RegisteredKi out;
  GRIDKE_ASSIGN_OR_RETURN(
      out.id, required_string(json, "KnowledgeInteractionWithId", "knowledgeInteractionId"));
  GRIDKE_ASSIGN_OR_RETURN(out.definition, knowledge_interaction_from_json(json));
  return out;
}

Json knowledge_interaction_request_json(const ki::KnowledgeInteraction& d) {
  Json j{{"knowledgeInteractionType", ki::to_string(d.kind)}};
  if (!d.name.empty()) j["knowledgeInteractionName"] = d.name;
  if (d.knowledge_gaps_enabled) j["knowledgeGapsEnabled"] = true;
  if (d.include_meta_kis) j["includeMetaKIs"] = true;
  j["communicativeAct"] = act_to_json(d.act);
  if (d.kind == ki::KiKind::ask || d.kind == ki::KiKind::answer) {
    if (d.pattern) j["graphPattern"] = d.pattern->canonical();
  } else {
    if (d.pattern) j["argumentGraphPattern"] = d.pattern->canonical();
    if (d.result_pattern) j["resultGraphPattern"] = d.result_pattern->canonical();
  }
  return j;
}

Result<ProactiveRequest> proactive_request_from_json(const Json& json) {
  ProactiveRequest out;
  if (json.is_array()) {
    GRIDKE_ASSIGN_OR_RETURN(out.bindings, binding_set_from_json(json));
    return out;
  }
  if (!json.is_object()) {
    return invalid_argument("The JSON should be either an JSON Object or an JSON Array.");
  }
  if (!json.contains("recipientSelector") || !json.contains("bindingSet")) {
    return invalid_argument(
        "The JSON Object should contain both a recipientSelector and bindingSet key.");
  }
  static constexpr std::string_view bad_selector =
      "The RecipientSelector should be a valid JSON object with a singleKnowledgeBase key that "
      "leads to a string value of a KnowledgeBaseId.";
  const Json& sel = json["recipientSelector"];
  if (!sel.is_object()) return invalid_argument(std::string(bad_selector));
  if (const Json* list = member(sel, "knowledgeBases")) {
    auto kbs = string_array(*list, "RecipientSelector", "knowledgeBases");
    if (!kbs) return invalid_argument(std::string(bad_selector) + " " + kbs.error().message());
    out.recipients.knowledge_bases = std::move(kbs).value();
  }
  if (const Json* single = member(sel, "singleKnowledgeBase")) {
    if (!single->is_string()) return invalid_argument(std::string(bad_selector));
    out.recipients.knowledge_bases.push_back(single->get<std::string>());
  }
  GRIDKE_ASSIGN_OR_RETURN(out.bindings, binding_set_from_json(json["bindingSet"]));
  return out;
}

Json proactive_request_to_json(const pattern::BindingSet& bindings,
                               const RecipientSelector& recipients) {
  if (recipients.knowledge_bases.empty()) return binding_set_to_json(bindings);
  return Json{{"recipientSelector", {{"knowledgeBases", recipients.knowledge_bases}}},
              {"bindingSet", binding_set_to_json(bindings)}};
}

Json ask_result_to_json(const AskResult& result) {
  Json infos = Json::array();
  for (const auto& e : result.exchange_info) {
    Json j = exchange_info_common(e);
    j["bindingSet"] = binding_set_to_json(e.bindings);
    infos.push_back(std::move(j));
  }
  Json out{{"bindingSet", binding_set_to_json(result.bindings)},
           {"exchangeInfo", std::move(infos)}};
  if (result.knowledge_gaps) {
    Json gaps = Json::array();
    for (const auto& gap : *result.knowledge_gaps) {
      Json g = Json::array();
      for (const auto& t : gap) g.push_back(t.to_string());
      gaps.push_back(std::move(g));
    }
    out["knowledgeGaps"] = std::move(gaps);
  }
  return out;
}

Json post_result_to_json(const PostResult& result) {
  Json infos = Json::array();
  for (const auto& e : result.exchange_info) {
    Json j = exchange_info_common(e);
    j["argumentBindingSet"] = binding_set_to_json(e.bindings);
    j["resultBindingSet"] = binding_set_to_json(e.result_bindings);
    infos.push_back(std::move(j));
  }
  return Json{{"resultBindingSet", binding_set_to_json(result.result_bindings)},
              {"exchangeInfo", std::move(infos)}};
}

Result<AskResult> ask_result_from_json(const Json& json) {
  if (!json.is_object()) return parse_error("AskResult must be a JSON object");
  AskResult out;
  GRIDKE_ASSIGN_OR_RETURN(out.bindings, optional_binding_set(json, "bindingSet"));
  if (const Json* infos = member(json, "exchangeInfo")) {
    if (!infos->is_array()) return parse_error("AskResult exchangeInfo must be an array");
    for (const auto& j : *infos) {
      GRIDKE_ASSIGN_OR_RETURN(auto e, exchange_info_from_json(j));
      GRIDKE_ASSIGN_OR_RETURN(e.bindings, optional_binding_set(j, "bindingSet"));
      out.exchange_info.push_back(std::move(e));
    }
  }
  if (const Json* gaps = member(json, "knowledgeGaps")) {
    if (!gaps->is_array()) return parse_error("AskResult knowledgeGaps must be an array");
    std::vector<KnowledgeGap> parsed;
    for (const auto& gap : *gaps) {
      GRIDKE_ASSIGN_OR_RETURN(auto triples, string_array(gap, "AskResult", "knowledgeGaps"));
      KnowledgeGap g;
      for (const auto& t : triples) {
        GRIDKE_ASSIGN_OR_RETURN(auto gp, pattern::GraphPattern::parse(t));
        for (const auto& tp : gp.triples()) g.push_back(tp);
      }
      parsed.push_back(std::move(g));
    }
    out.knowledge_gaps = std::move(parsed);
  }
  return out;
}

Result<PostResult> post_result_from_json(const Json& json) {
  if (!json.is_object()) return parse_error("PostResult must be a JSON object");
  PostResult out;
  GRIDKE_ASSIGN_OR_RETURN(out.result_bindings, optional_binding_set(json, "resultBindingSet"));
  if (const Json* infos = member(json, "exchangeInfo")) {
    if (!infos->is_array()) return parse_error("PostResult exchangeInfo must be an array");
    for (const auto& j : *infos) {
      GRIDKE_ASSIGN_OR_RETURN(auto e, exchange_info_from_json(j));
      GRIDKE_ASSIGN_OR_RETURN(e.bindings, optional_binding_set(j, "argumentBindingSet"));
      GRIDKE_ASSIGN_OR_RETURN(e.result_bindings, optional_binding_set(j, "resultBindingSet"));
      out.exchange_info.push_back(std::move(e));
    }
  }
  return out;
}

Json handle_request_to_json(const HandleRequest& request, long long handle_request_id) {
  Json j{{"knowledgeInteractionId", request.ki_id},
         {"handleRequestId", handle_request_id},
         {"bindingSet", binding_set_to_json(request.bindings)},
         {"requestingKnowledgeBaseId", request.requesting_kb}};
  // GridKE extension (docs/rest-api.md): TNO clients ignore unknown properties.
  if (!request.requesting_ki.empty()) j["requestingKnowledgeInteractionId"] = request.requesting_ki;
  return j;
}

Result<WireHandleRequest> handle_request_from_json(const Json& json) {
  if (!json.is_object()) return parse_error("HandleRequest must be a JSON object");
  WireHandleRequest out;
  GRIDKE_ASSIGN_OR_RETURN(out.request.ki_id,
                          required_string(json, "HandleRequest", "knowledgeInteractionId"));
  GRIDKE_ASSIGN_OR_RETURN(auto id, optional_int(json, "HandleRequest", "handleRequestId"));
  if (!id) return parse_error("HandleRequest has no handleRequestId");
  out.handle_request_id = *id;
  GRIDKE_ASSIGN_OR_RETURN(out.request.bindings, optional_binding_set(json, "bindingSet"));
  GRIDKE_ASSIGN_OR_RETURN(auto requesting, optional_string(json, "requestingKnowledgeBaseId"));
  out.request.requesting_kb = requesting.value_or("");
  GRIDKE_ASSIGN_OR_RETURN(auto requesting_ki,
                          optional_string(json, "requestingKnowledgeInteractionId"));
  out.request.requesting_ki = requesting_ki.value_or("");
  return out;
}

Json response_message(std::string_view type, std::string_view message) {
  return Json{{"messageType", type}, {"message", message}};
}

namespace {

Result<std::string> text_field(const Json& j, std::string_view schema, std::string_view field) {
  const Json* v = member(j, field);
  if (v == nullptr || !v->is_string()) {
    return parse_error(std::string(schema) + " " + std::string(field) + " must be a string");
  }
  return v->get<std::string>();
}

Result<ki::KiKind> kind_field(const Json& j, std::string_view schema) {
  GRIDKE_ASSIGN_OR_RETURN(auto text, text_field(j, schema, "knowledgeInteractionType"));
  auto kind = ki::parse_ki_kind(text);
  if (!kind) {
    return parse_error(std::string(schema) + " knowledgeInteractionType '" + text +
                       "' is not a knowledge interaction type");
  }
  return *kind;
}

Result<int> int_field(const Json& j, std::string_view schema, std::string_view field) {
  const Json* v = member(j, field);
  if (v == nullptr || !v->is_number_integer()) {
    return parse_error(std::string(schema) + " " + std::string(field) + " must be an integer");
  }
  return v->get<int>();
}

Result<std::vector<std::string>> strings_field(const Json& j, std::string_view schema,
                                               std::string_view field) {
  const Json* v = member(j, field);
  if (v == nullptr) return std::vector<std::string>{};
  return string_array(*v, schema, field);
}

}  // namespace

Json plan_explanation_to_json(const PlanExplanation& e) {
  Json steps = Json::array();
  for (const auto& s : e.steps) {
    Json mapping = Json::object();
    for (const auto& [from, to] : s.variable_map) mapping[from] = to;
    steps.push_back(Json{{"knowledgeBaseId", s.knowledge_base},
                         {"knowledgeInteractionId", s.knowledge_interaction},
                         {"name", s.name},
                         {"knowledgeInteractionType", ki::to_string(s.kind)},
                         {"role", s.role},
                         {"depth", s.depth},
                         {"covers", s.covers},
                         {"variableMapping", std::move(mapping)}});
  }
  Json misses = Json::array();
  for (const auto& m : e.near_misses) {
    Json j{{"knowledgeBaseId", m.knowledge_base},
           {"knowledgeInteractionId", m.knowledge_interaction},
           {"name", m.name},
           {"knowledgeInteractionType", ki::to_string(m.kind)},
           {"reason", m.reason},
           {"unmatched", m.unmatched},
           {"extra", m.extra}};
    if (m.matches_at_level) j["matchesAtLevel"] = *m.matches_at_level;
    misses.push_back(std::move(j));
  }
  Json out{{"knowledgeBaseId", e.knowledge_base},
           {"knowledgeInteractionId", e.knowledge_interaction},
           {"knowledgeInteractionType", ki::to_string(e.kind)},
           {"matchLevel", e.level},
           {"networkVersion", e.network_version},
           {"plan", std::move(steps)},
           {"nearMisses", std::move(misses)}};
  if (e.kind == ki::KiKind::ask) {
    Json gaps = Json::array();
    for (const auto& gap : e.gaps) {
      Json g = Json::array();
      for (const auto& t : gap) g.push_back(t.to_string());
      gaps.push_back(std::move(g));
    }
    out["knowledgeGaps"] = std::move(gaps);
  }
  return out;
}

Result<PlanExplanation> plan_explanation_from_json(const Json& json) {
  constexpr std::string_view schema = "PlanExplanation";
  if (!json.is_object()) return parse_error("PlanExplanation must be a JSON object");
  PlanExplanation e;
  GRIDKE_ASSIGN_OR_RETURN(e.knowledge_base, text_field(json, schema, "knowledgeBaseId"));
  GRIDKE_ASSIGN_OR_RETURN(e.knowledge_interaction,
                          text_field(json, schema, "knowledgeInteractionId"));
  GRIDKE_ASSIGN_OR_RETURN(e.kind, kind_field(json, schema));
  GRIDKE_ASSIGN_OR_RETURN(e.level, int_field(json, schema, "matchLevel"));
  if (const Json* v = member(json, "networkVersion"); v != nullptr && v->is_number_unsigned()) {
    e.network_version = v->get<std::uint64_t>();
  }
  if (const Json* plan = member(json, "plan")) {
    if (!plan->is_array()) return parse_error("PlanExplanation plan must be an array");
    for (const Json& j : *plan) {
      constexpr std::string_view step_schema = "PlanExplanation plan[]";
      PlanStep s;
      GRIDKE_ASSIGN_OR_RETURN(s.knowledge_base, text_field(j, step_schema, "knowledgeBaseId"));
      GRIDKE_ASSIGN_OR_RETURN(s.knowledge_interaction,
                              text_field(j, step_schema, "knowledgeInteractionId"));
      GRIDKE_ASSIGN_OR_RETURN(s.kind, kind_field(j, step_schema));
      GRIDKE_ASSIGN_OR_RETURN(s.role, text_field(j, step_schema, "role"));
      GRIDKE_ASSIGN_OR_RETURN(s.depth, int_field(j, step_schema, "depth"));
      if (const Json* n = member(j, "name"); n != nullptr && n->is_string()) s.name = *n;
      GRIDKE_ASSIGN_OR_RETURN(s.covers, strings_field(j, step_schema, "covers"));
      if (const Json* m = member(j, "variableMapping"); m != nullptr && m->is_object()) {
        for (const auto& [from, to] : m->items()) {
          if (!to.is_string()) {
            return parse_error("PlanExplanation plan[] variableMapping values must be strings");
          }
          s.variable_map.emplace_back(from, to.get<std::string>());
        }
      }
      e.steps.push_back(std::move(s));
    }
  }
  if (const Json* misses = member(json, "nearMisses")) {
    if (!misses->is_array()) return parse_error("PlanExplanation nearMisses must be an array");
    for (const Json& j : *misses) {
      constexpr std::string_view miss_schema = "PlanExplanation nearMisses[]";
      NearMiss m;
      GRIDKE_ASSIGN_OR_RETURN(m.knowledge_base, text_field(j, miss_schema, "knowledgeBaseId"));
      GRIDKE_ASSIGN_OR_RETURN(m.knowledge_interaction,
                              text_field(j, miss_schema, "knowledgeInteractionId"));
      GRIDKE_ASSIGN_OR_RETURN(m.kind, kind_field(j, miss_schema));
      GRIDKE_ASSIGN_OR_RETURN(m.reason, text_field(j, miss_schema, "reason"));
      if (const Json* n = member(j, "name"); n != nullptr && n->is_string()) m.name = *n;
      GRIDKE_ASSIGN_OR_RETURN(m.unmatched, strings_field(j, miss_schema, "unmatched"));
      GRIDKE_ASSIGN_OR_RETURN(m.extra, strings_field(j, miss_schema, "extra"));
      if (const Json* l = member(j, "matchesAtLevel"); l != nullptr && l->is_number_integer()) {
        m.matches_at_level = l->get<int>();
      }
      e.near_misses.push_back(std::move(m));
    }
  }
  if (const Json* gaps = member(json, "knowledgeGaps")) {
    if (!gaps->is_array()) return parse_error("PlanExplanation knowledgeGaps must be an array");
    for (const Json& gap : *gaps) {
      GRIDKE_ASSIGN_OR_RETURN(auto triples, string_array(gap, schema, "knowledgeGaps"));
      KnowledgeGap parsed;
      for (const auto& t : triples) {
        auto p = pattern::GraphPattern::parse(t + " .");
        if (!p || p->size() != 1) {
          return parse_error("PlanExplanation knowledgeGaps holds '" + t +
                             "', which is not one triple pattern");
        }
        parsed.push_back(p->triples().front());
      }
      e.gaps.push_back(std::move(parsed));
    }
  }
  return e;
}

}  // namespace gridke::engine::wire
