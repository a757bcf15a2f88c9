#include "gridke/engine/embedded_engine.hpp"

#include <algorithm>
#include <random>
#include <utility>

#include "engine_core.hpp"
#include "gridke/engine/domain_knowledge.hpp"

namespace gridke::engine {
namespace detail {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t random_seed() {
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

// The cache key: the KI id alone for "all KBs" (the common case, no allocation), else the id
// and the sorted, de-duplicated recipient KBs, separated by U+001F.
std::string_view plan_key(const KiPtr& ki, const RecipientSelector& recipients,
                          std::string& storage) {
  if (recipients.knowledge_bases.empty()) return ki->id;
  std::vector<std::string> kbs = recipients.knowledge_bases;
  std::sort(kbs.begin(), kbs.end());
  kbs.erase(std::unique(kbs.begin(), kbs.end()), kbs.end());
  storage = ki->id;
  for (const auto& kb : kbs) {
    storage += '\x1f';
    storage += kb;
  }
  return storage;
}

// A bound on cached plans: recipient selectors are caller-chosen, so the key space is open.
constexpr std::size_t max_cached_plans = 4096;

template <class Cache, class Build>
auto cached(std::mutex& mu, std::uint64_t& cache_version, Cache& cache,
            std::atomic<std::uint64_t>& built, const NetworkPtr& net, std::string_view key,
            Build&& build, bool enabled) -> decltype(build()) {
  if (!enabled) {
    built.fetch_add(1, std::memory_order_relaxed);
    return build();
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    if (cache_version == net->version) {
      auto it = cache.find(key);
      if (it != cache.end()) return it->second;
    }
  }
  GRIDKE_ASSIGN_OR_RETURN(auto plan, build());
  built.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu);
  if (net->version > cache_version) {
    cache.clear();
    cache_version = net->version;
  }
  if (cache_version == net->version) {
    if (cache.size() >= max_cached_plans) cache.clear();
    cache.insert_or_assign(std::string(key), plan);
  }
  return plan;
}

}  // namespace

NetworkPtr build_network(std::uint64_t version, std::map<KbId, KbPtr, std::less<>> kbs) {
  auto net = std::make_shared<Network>();
  net->version = version;
  net->kbs = std::move(kbs);
  for (const auto& [id, kb] : net->kbs) {
    if (kb->meta_answer) net->meta_answers.push_back(kb->meta_answer);
    for (const KiPtr& ki : kb->kis) {
      net->kis.emplace(ki->id, ki);
      if (ki->kind() == ki::KiKind::answer) {
        net->answer_index.add(net->answers.size(), *ki->pattern);
        net->answers.push_back(ki);
      } else if (ki->kind() == ki::KiKind::react) {
        const std::size_t n = net->reacts.size();
        if (ki->pattern) net->argument_index.add(n, *ki->pattern);
        if (ki->result) net->result_index.add(n, *ki->result);
        net->reacts.push_back(ki);
      }
    }
  }
  return net;
}

EngineCore::EngineCore(EmbeddedEngine::Options opts)
    : options(std::move(opts)),
      pool(options.handler_threads),
      uuid_seed_(random_seed()),
      network_(build_network(0, {})) {}

std::string EngineCore::uuid_text(std::uint64_t n) const {
  std::uint64_t hi = splitmix64(uuid_seed_ ^ (2 * n));
  std::uint64_t lo = splitmix64(uuid_seed_ ^ (2 * n + 1));
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  auto put = [&](std::uint64_t v, int from_nibble, int count) {
    for (int i = 0; i < count; ++i) {
      out.push_back(hex[(v >> (4 * (15 - from_nibble - i))) & 0xF]);
    }
  };
  put(hi, 0, 8);
  out.push_back('-');
  put(hi, 8, 4);
  out.push_back('-');
  put(hi, 12, 4);
  out.push_back('-');
  put(lo, 0, 4);
  out.push_back('-');
  put(lo, 4, 12);
  return out;
}

RuleBasePtr EngineCore::default_knowledge() const {
  std::lock_guard<std::mutex> lock(knowledge_mu_);
  return default_knowledge_;
}

void EngineCore::set_default_knowledge(RuleBasePtr knowledge) {
  std::lock_guard<std::mutex> lock(knowledge_mu_);
  default_knowledge_ = std::move(knowledge);
}

NetworkPtr EngineCore::network() const {
  std::lock_guard<std::mutex> lock(net_mu_);
  return network_;
}

Result<std::shared_ptr<const AskPlan>> EngineCore::ask_plan(const NetworkPtr& net,
                                                            const KiPtr& asker,
                                                            const RecipientSelector& recipients) {
  std::string storage;
  return cached(
      plan_mu_, plan_version_, ask_plans_, plans_built, net, plan_key(asker, recipients, storage),
      [&] { return build_ask_plan(*net, asker, recipients, options); }, options.cache_plans);
}

Result<std::shared_ptr<const PostPlan>> EngineCore::post_plan(const NetworkPtr& net,
                                                              const KiPtr& poster,
                                                              const RecipientSelector& recipients) {
  std::string storage;
  return cached(
      plan_mu_, plan_version_, post_plans_, plans_built, net, plan_key(poster, recipients, storage),
      [&] { return build_post_plan(*net, poster, recipients, options); }, options.cache_plans);
}

}  // namespace detail

using detail::KbEntry;
using detail::KbPtr;
using detail::KiEntry;
using detail::KiPtr;

namespace {

constexpr std::string_view invalid_iri = "Knowledge base ID must be a valid RDF IRI. ";

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string quoted(std::string_view id) { return "'" + std::string(id) + "'"; }

// Runs `done` with an error on a pool thread (the interface promises an engine thread); the
// observer (if any) hears of the failed call first.
template <class Callback>
void fail_async(detail::EngineCore& core, Callback done, Error error, KiRef requester,
                const pattern::BindingSet& request) {
  if (core.options.observer) {
    ExchangeRecord record;
    record.requester = std::move(requester);
    record.start = record.end = Clock::now();
    record.succeeded = false;
    record.error_message = error.message();
    record.request_bindings = request;
    core.options.observer->on_exchange(record);
  }
  auto task = [done = std::move(done), error = std::move(error)]() mutable {
    done(std::move(error));
  };
  if (core.pool.on_worker_thread()) {
    task();
    return;
  }
  // submit() takes a copyable std::function; keep the task in a shared_ptr.
  auto shared = std::make_shared<decltype(task)>(std::move(task));
  if (!core.pool.submit([shared] { (*shared)(); })) (*shared)();
}

struct Proactive {
  KiPtr ki;
};

std::vector<RegisteredKi> registered_of(const KbEntry& kb) {
  std::vector<RegisteredKi> out;
  out.reserve(kb.kis.size());
  for (const KiPtr& k : kb.kis) out.push_back(RegisteredKi{k->id, k->definition});
  return out;
}

const pattern::CompiledPattern& compiled_meta_pattern() {
  static const pattern::CompiledPattern compiled(meta::meta_pattern());
  return compiled;
}

// The KB's meta ANSWER KI: answers with the KB's metadata in the network current at call time.
KiPtr make_meta_answer(const std::shared_ptr<detail::EngineCore>& core, const KbId& kb) {
  auto entry = std::make_shared<KiEntry>();
  entry->kb = kb;
  entry->id = meta::meta_ki_id(kb, meta::MetaKi::answer);
  entry->definition = meta::meta_knowledge_interaction(meta::MetaKi::answer);
  entry->pattern.emplace(compiled_meta_pattern());
  entry->meta = true;
  std::weak_ptr<detail::EngineCore> weak = core;
  entry->handler = [weak, kb](const HandleRequest& request, Reply reply) {
    auto c = weak.lock();
    if (!c) return reply(unavailable("the knowledge engine is shutting down"));
    auto net = c->network();
    auto it = net->kbs.find(kb);
    if (it == net->kbs.end()) return reply(pattern::BindingSet{});
    pattern::BindingSet rows =
        meta::metadata_bindings(it->second->info, registered_of(*it->second));
    if (request.bindings.empty()) return reply(std::move(rows));
    pattern::BindingSet fitting;
    for (const auto& r : rows) {
      for (const auto& in : request.bindings) {
        if (r.is_compatible_with(in)) {
          fitting.insert(r);
          break;
        }
      }
    }
    reply(std::move(fitting));
  };
  return entry;
}

Result<Proactive> find_proactive(const detail::Network& net, std::string_view kb,
                                 std::string_view ki, ki::KiKind expected) {
  if (net.kbs.find(kb) == net.kbs.end()) {
    return not_found("Smart connector not found, because its ID is unknown.", std::string(kb));
  }
  auto it = net.kis.find(ki);
  if (it == net.kis.end() || it->second->kb != kb) {
    return not_found("Knowledge Interaction not found, because its ID is unknown.",
                     std::string(ki));
  }
  if (it->second->kind() != expected) {
    return invalid_argument("Given Knowledge Interaction ID should have type " +
                            std::string(ki::to_string(expected)) + " and not " +
                            std::string(ki::to_string(it->second->kind())) + ".");
  }
  return Proactive{it->second};
}

}  // namespace

Result<void> validate_knowledge_base_id(std::string_view id) {
  if (id.empty()) return invalid_argument("Knowledge Base ID must be a non-empty URI.");
  for (std::size_t i = 0; i < id.size(); ++i) {
    const auto c = static_cast<unsigned char>(id[i]);
    if (c <= 0x20 || c == 0x7F ||
        std::string_view("<>\"{}|\\^`").find(static_cast<char>(c)) != std::string_view::npos) {
      const std::string shown = c <= 0x20 ? "a space or control character"
                                          : "'" + std::string(1, static_cast<char>(c)) + "'";
      return invalid_argument(std::string(invalid_iri) + quoted(id) + " contains " + shown +
                              " at position " + std::to_string(i + 1) +
                              ", which an IRI does not allow.");
    }
    if (c == '%' && (i + 2 >= id.size() || !is_hex(id[i + 1]) || !is_hex(id[i + 2]))) {
      return invalid_argument(std::string(invalid_iri) + quoted(id) +
                              " has a '%' not followed by two hex digits at position " +
                              std::to_string(i + 1) + ".");
    }
  }
  const std::size_t colon = id.find(':');
  bool scheme_ok = colon != std::string_view::npos && colon > 0 && is_alpha(id[0]);
  for (std::size_t i = 1; scheme_ok && i < colon; ++i) {
    const char c = id[i];
    scheme_ok = is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
  }
  if (!scheme_ok) {
    return invalid_argument(std::string(invalid_iri) + quoted(id) +
                            " is not an absolute IRI: it needs a scheme such as 'https:'.");
  }
  const std::string_view rest = id.substr(colon + 1);
  if (rest.empty()) {
    return invalid_argument(std::string(invalid_iri) + quoted(id) +
                            " has nothing after its scheme.");
  }
  if (rest.starts_with("//")) {
    const std::string_view authority = rest.substr(2, rest.find_first_of("/?#", 2) - 2);
    std::string scheme(id.substr(0, colon));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](char c) {
      return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    if ((scheme == "http" || scheme == "https") && authority.empty()) {
      return invalid_argument(std::string(invalid_iri) + quoted(id) + " has no host after '" +
                              scheme + "://'.");
    }
  }
  return ok();
}

EmbeddedEngine::EmbeddedEngine() : EmbeddedEngine(Options{}) {}

EmbeddedEngine::EmbeddedEngine(Options options)
    : core_(std::make_shared<detail::EngineCore>(std::move(options))) {}

EmbeddedEngine::~EmbeddedEngine() {
  // Fire every pending deadline (their exchanges complete with the unanswered KIs FAILED),
  // then let the pool run what is queued (handlers, callbacks) and join it. Runs keep the core
  // alive, so replies arriving later are dropped safely.
  core_->timer.shutdown();
  core_->pool.shutdown();
}

const EmbeddedEngine::Options& EmbeddedEngine::options() const noexcept { return core_->options; }

std::uint64_t EmbeddedEngine::network_version() const { return core_->network()->version; }

std::uint64_t EmbeddedEngine::plans_built() const {
  return core_->plans_built.load(std::memory_order_relaxed);
}

Result<void> EmbeddedEngine::create_knowledge_base(const KnowledgeBaseInfo& info) {
  GRIDKE_TRY(validate_knowledge_base_id(info.id));
  if (info.reasoner_level < 1 || info.reasoner_level > 5) {
    return invalid_argument("The reasoner level should be between 1 and 5, inclusive and not " +
                            std::to_string(info.reasoner_level));
  }
  if (info.lease_renewal_time_s &&
      (*info.lease_renewal_time_s < 30 || *info.lease_renewal_time_s > 3600)) {
    return invalid_argument("leaseRenewalTime must be between 30 and 3600 seconds, not " +
                            std::to_string(*info.lease_renewal_time_s));
  }
  KiPtr meta_answer = make_meta_answer(core_, info.id);
  detail::RuleBasePtr knowledge = core_->default_knowledge();
  GRIDKE_TRY(core_->mutate([&](auto& kbs) -> Result<void> {
    if (kbs.count(info.id) != 0) {
      return already_exists("That knowledge base ID is already in use.", info.id);
    }
    auto kb = std::make_shared<KbEntry>();
    kb->info = info;
    kb->meta_answer = std::move(meta_answer);
    kb->knowledge = std::move(knowledge);
    kbs.emplace(info.id, std::move(kb));
    return ok();
  }));
  post_metadata(info, {}, meta::MetaKi::post_new);
  return ok();
}

Result<void> EmbeddedEngine::delete_knowledge_base(std::string_view kb) {
  KbPtr removed;
  GRIDKE_TRY(core_->mutate([&](auto& kbs) -> Result<void> {
    auto it = kbs.find(kb);
    if (it == kbs.end()) {
      return not_found("Deletion of knowledge base failed, because it could not be found.",
                       std::string(kb));
    }
    removed = it->second;
    kbs.erase(it);
    return ok();
  }));
  post_metadata(removed->info, registered_of(*removed), meta::MetaKi::post_removed);
  return ok();
}

void EmbeddedEngine::post_metadata(const KnowledgeBaseInfo& kb,
                                   const std::vector<RegisteredKi>& kis, meta::MetaKi which) {
  if (!core_->options.post_metadata) return;
  auto net = core_->network();
  if (net->reacts.empty()) return;
  auto poster = std::make_shared<KiEntry>();
  poster->kb = kb.id;
  poster->id = meta::meta_ki_id(kb.id, which);
  poster->definition = meta::meta_knowledge_interaction(which);
  poster->pattern.emplace(compiled_meta_pattern());
  poster->meta = true;
  auto plan = detail::build_post_plan(*net, poster, {}, core_->options);
  if (!plan || (*plan)->steps.empty()) return;
  detail::run_post(core_, std::move(*plan), meta::metadata_bindings(kb, kis),
                   core_->options.default_deadline, /*callback_never_blocks=*/true,
                   [](Result<PostResult>) {});
}

Result<void> EmbeddedEngine::set_domain_knowledge(std::string_view kb, std::string_view rules) {
  if (core_->network()->kbs.count(kb) == 0) {
    return not_found("Knowledge base not found, because its knowledge base ID is unknown.",
                     std::string(kb));
  }
  GRIDKE_ASSIGN_OR_RETURN(auto knowledge, detail::build_rule_base(std::string(kb), rules));
  return core_->mutate([&](auto& kbs) -> Result<void> {
    auto it = kbs.find(kb);
    if (it == kbs.end()) {
      return not_found("Knowledge base not found, because its knowledge base ID is unknown.",
                       std::string(kb));
    }
    auto copy = std::make_shared<KbEntry>(*it->second);
    copy->knowledge = std::move(knowledge);
    it->second = std::move(copy);
    return ok();
  });
}

Result<std::string> EmbeddedEngine::domain_knowledge(std::string_view kb) const {
  auto net = core_->network();
  auto it = net->kbs.find(kb);
  if (it == net->kbs.end()) {
    return not_found("Knowledge base not found, because its knowledge base ID is unknown.",
                     std::string(kb));
  }
  return it->second->knowledge ? it->second->knowledge->text : std::string();
}

Result<void> EmbeddedEngine::set_default_domain_knowledge(std::string_view rules) {
  // Rule ids name the KB; default rules are rebuilt per KB when it is created.
  GRIDKE_TRY(parse_domain_knowledge(rules));
  if (rules.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    core_->set_default_knowledge(nullptr);
    return ok();
  }
  GRIDKE_ASSIGN_OR_RETURN(auto knowledge, detail::build_rule_base("urn:gridke:default", rules));
  core_->set_default_knowledge(std::move(knowledge));
  return ok();
}

Result<std::vector<KnowledgeBaseInfo>> EmbeddedEngine::knowledge_bases() const {
  auto net = core_->network();
  std::vector<KnowledgeBaseInfo> out;
  out.reserve(net->kbs.size());
  for (const auto& [id, kb] : net->kbs) out.push_back(kb->info);
  return out;
}

Result<KiId> EmbeddedEngine::register_ki(std::string_view kb, const ki::KnowledgeInteraction& ki,
                                         Handler handler, HandlerOptions options) {
  const auto unknown_kb = [&] {
    return not_found("Could not add knowledge interaction, because the given knowledge base ID (" +
                     std::string(kb) + ") is unknown.");
  };
  if (core_->network()->kbs.count(kb) == 0) return unknown_kb();
  GRIDKE_TRY(ki.validate());
  for (const auto* gp : {&ki.pattern, &ki.result_pattern}) {
    if (*gp) GRIDKE_TRY(pattern::check_matchable(**gp));
  }
  const bool reactive = !ki::is_proactive(ki.kind);
  const std::string kind_name(ki::to_string(ki.kind));
  if (reactive && !handler) {
    return invalid_argument(kind_name + " needs a handler: it is called with each request.");
  }
  if (!reactive && handler) {
    return invalid_argument(kind_name + " takes no handler: only ANSWER and REACT are called.");
  }
  auto entry = std::make_shared<KiEntry>();
  entry->kb = std::string(kb);
  entry->id = entry->kb + "/interaction/" + (ki.name.empty() ? core_->new_uuid() : ki.name);
  entry->definition = ki;
  entry->handler = std::move(handler);
  entry->handler_never_blocks = options.never_blocks;
  if (ki.pattern) entry->pattern.emplace(*ki.pattern);
  if (ki.result_pattern) entry->result.emplace(*ki.result_pattern);
  KiId id = entry->id;
  KbPtr changed;
  GRIDKE_TRY(core_->mutate([&](auto& kbs) -> Result<void> {
    auto it = kbs.find(kb);
    if (it == kbs.end()) return unknown_kb();
    for (const KiPtr& existing : it->second->kis) {
      if (existing->id == entry->id) {
        return already_exists("The Knowledge Interaction with URI '" + entry->id +
                              "' should not be already registered.");
      }
    }
    auto copy = std::make_shared<KbEntry>(*it->second);
    copy->kis.push_back(std::move(entry));
    changed = copy;
    it->second = std::move(copy);
    return ok();
  }));
  post_metadata(changed->info, registered_of(*changed), meta::MetaKi::post_changed);
  return id;
}

Result<void> EmbeddedEngine::unregister_ki(std::string_view kb, std::string_view ki) {
  KbPtr changed;
  GRIDKE_TRY(core_->mutate([&](auto& kbs) -> Result<void> {
    auto it = kbs.find(kb);
    if (it == kbs.end()) {
      return not_found("Knowledge base not found, because its knowledge base ID is unknown.",
                       std::string(kb));
    }
    const auto& kis = it->second->kis;
    auto pos = std::find_if(kis.begin(), kis.end(), [&](const KiPtr& k) { return k->id == ki; });
    if (pos == kis.end()) {
      return not_found(
          "Knowledge base found, but the given knowledge interaction knowledge base ID is "
          "unknown.",
          std::string(ki));
    }
    auto copy = std::make_shared<KbEntry>(*it->second);
    copy->kis.erase(copy->kis.begin() + (pos - kis.begin()));
    changed = copy;
    it->second = std::move(copy);
    return ok();
  }));
  post_metadata(changed->info, registered_of(*changed), meta::MetaKi::post_changed);
  return ok();
}

Result<std::vector<RegisteredKi>> EmbeddedEngine::knowledge_interactions(
    std::string_view kb) const {
  auto net = core_->network();
  auto it = net->kbs.find(kb);
  if (it == net->kbs.end()) {
    return not_found("Knowledge base not found, because its knowledge base ID is unknown.",
                     std::string(kb));
  }
  std::vector<RegisteredKi> out;
  out.reserve(it->second->kis.size());
  for (const KiPtr& k : it->second->kis) out.push_back(RegisteredKi{k->id, k->definition});
  return out;
}

void EmbeddedEngine::ask_async(std::string_view kb, std::string_view ki,
                               pattern::BindingSet bindings, CallOptions options,
                               AskCallback done) {
  auto net = core_->network();
  auto proactive = find_proactive(*net, kb, ki, ki::KiKind::ask);
  if (!proactive) {
    return fail_async(*core_, std::move(done), std::move(proactive).error(),
                      KiRef{std::string(kb), std::string(ki), {}, ki::KiKind::ask}, bindings);
  }
  auto plan = core_->ask_plan(net, proactive->ki, options.recipients);
  if (!plan) {
    return fail_async(*core_, std::move(done), std::move(plan).error(),
                      detail::ki_ref(*proactive->ki), bindings);
  }
  detail::run_ask(core_, std::move(*plan), std::move(bindings),
                  options.deadline.value_or(core_->options.default_deadline),
                  options.callback_never_blocks, std::move(done));
}

void EmbeddedEngine::post_async(std::string_view kb, std::string_view ki,
                                pattern::BindingSet bindings, CallOptions options,
                                PostCallback done) {
  auto net = core_->network();
  auto proactive = find_proactive(*net, kb, ki, ki::KiKind::post);
  if (!proactive) {
    return fail_async(*core_, std::move(done), std::move(proactive).error(),
                      KiRef{std::string(kb), std::string(ki), {}, ki::KiKind::post}, bindings);
  }
  auto plan = core_->post_plan(net, proactive->ki, options.recipients);
  if (!plan) {
    return fail_async(*core_, std::move(done), std::move(plan).error(),
                      detail::ki_ref(*proactive->ki), bindings);
  }
  detail::run_post(core_, std::move(*plan), std::move(bindings),
                   options.deadline.value_or(core_->options.default_deadline),
                   options.callback_never_blocks, std::move(done));
}

}  // namespace gridke::engine
