#pragma once
// Private: RAII owners for Sord handles (STYLE.md §2.5). Every deleter accepts nullptr, so a
// moved-from or empty owner destroys safely.
// Thread safety: Sord objects are not thread-safe. Creating or freeing a node changes its world
// (nodes are interned), so even "read-only" use of a shared world needs a lock.

#include <sord/sord.h>

#include <memory>
#include <utility>

namespace gridke::rdf::detail {

struct SordWorldFree {
  void operator()(SordWorld* p) const noexcept {
    if (p != nullptr) sord_world_free(p);
  }
};
using SordWorldPtr = std::unique_ptr<SordWorld, SordWorldFree>;

struct SordModelFree {
  void operator()(SordModel* p) const noexcept {
    if (p != nullptr) sord_free(p);
  }
};
using SordModelPtr = std::unique_ptr<SordModel, SordModelFree>;

struct SordIterFree {
  void operator()(SordIter* p) const noexcept {
    if (p != nullptr) sord_iter_free(p);
  }
};
using SordIterPtr = std::unique_ptr<SordIter, SordIterFree>;

/// One reference to an interned SordNode. Freeing needs the node's world, so the world is kept
/// beside the node (as sordmm's Node does); the world must outlive the reference. Copying takes
/// another reference (sord_node_copy), destruction drops one (sord_node_free).
class SordNodeRef {
 public:
  SordNodeRef() noexcept = default;
  /// Adopts a reference the caller owns (e.g. from sord_new_uri). node may be nullptr.
  SordNodeRef(SordWorld* world, SordNode* node) noexcept : world_(world), node_(node) {}
  SordNodeRef(const SordNodeRef& other) noexcept
      : world_(other.world_), node_(other.node_ ? sord_node_copy(other.node_) : nullptr) {}
  SordNodeRef(SordNodeRef&& other) noexcept
      : world_(other.world_), node_(std::exchange(other.node_, nullptr)) {}
  SordNodeRef& operator=(SordNodeRef other) noexcept {
    std::swap(world_, other.world_);
    std::swap(node_, other.node_);
    return *this;
  }
  ~SordNodeRef() {
    if (node_ != nullptr) sord_node_free(world_, node_);
  }

  SordNode* get() const noexcept { return node_; }
  explicit operator bool() const noexcept { return node_ != nullptr; }

 private:
  SordWorld* world_ = nullptr;
  SordNode* node_ = nullptr;
};

}  // namespace gridke::rdf::detail
