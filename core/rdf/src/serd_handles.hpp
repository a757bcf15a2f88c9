#pragma once
// Private: RAII owners for Serd handles (STYLE.md §2.5). Every deleter accepts nullptr, so a
// moved-from or empty owner destroys safely.
// Thread safety: Serd objects are not thread-safe; an owner is used by one thread at a time.

#include <serd/serd.h>

#include <cstdio>
#include <memory>
#include <utility>

namespace gridke::rdf::detail {

struct SerdReaderFree {
  void operator()(SerdReader* p) const noexcept { serd_reader_free(p); }
};
using SerdReaderPtr = std::unique_ptr<SerdReader, SerdReaderFree>;

struct SerdWriterFree {
  void operator()(SerdWriter* p) const noexcept { serd_writer_free(p); }
};
using SerdWriterPtr = std::unique_ptr<SerdWriter, SerdWriterFree>;

struct SerdEnvFree {
  void operator()(SerdEnv* p) const noexcept { serd_env_free(p); }
};
using SerdEnvPtr = std::unique_ptr<SerdEnv, SerdEnvFree>;

struct FileClose {
  void operator()(std::FILE* p) const noexcept {
    if (p != nullptr) std::fclose(p);
  }
};
using FilePtr = std::unique_ptr<std::FILE, FileClose>;

/// Owns the buffer of a SerdNode made by serd_node_new_*() (serd_node_free() on destruction).
/// Move-only; a moved-from owner holds SERD_NODE_NULL, which serd_node_free() ignores.
class SerdNodeOwner {
 public:
  SerdNodeOwner() noexcept = default;
  explicit SerdNodeOwner(SerdNode node) noexcept : node_(node) {}
  SerdNodeOwner(SerdNodeOwner&& other) noexcept
      : node_(std::exchange(other.node_, SERD_NODE_NULL)) {}
  SerdNodeOwner& operator=(SerdNodeOwner&& other) noexcept {
    if (this != &other) {
      serd_node_free(&node_);
      node_ = std::exchange(other.node_, SERD_NODE_NULL);
    }
    return *this;
  }
  SerdNodeOwner(const SerdNodeOwner&) = delete;
  SerdNodeOwner& operator=(const SerdNodeOwner&) = delete;
  ~SerdNodeOwner() { serd_node_free(&node_); }

  const SerdNode* get() const noexcept { return &node_; }
  bool empty() const noexcept { return node_.buf == nullptr; }

 private:
  SerdNode node_ = SERD_NODE_NULL;
};

}  // namespace gridke::rdf::detail
