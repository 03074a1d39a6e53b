#pragma once
// An allocator for the few arrays a search sweeps at random (a label per node): blocks of 4 MiB
// or more are aligned to 2 MiB and marked MADV_HUGEPAGE, so the kernel maps them with 2 MiB
// pages where transparent huge pages are enabled ("madvise" or "always"): 512 times fewer page
// faults and TLB misses. Elsewhere the hint is ignored and the memory is plain.
#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>

namespace legalcircle {

template <class T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}

  static constexpr std::size_t kHuge = std::size_t(2) << 20;

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < 2 * kHuge) return static_cast<T*>(::operator new(bytes));
    const std::size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
    void* p = std::aligned_alloc(kHuge, rounded);
    if (!p) throw std::bad_alloc();
    ::madvise(p, rounded, MADV_HUGEPAGE);  // a hint: failure leaves ordinary pages
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n * sizeof(T) < 2 * kHuge) ::operator delete(p);
    else std::free(p);
  }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const noexcept { return true; }
};

}  // namespace legalcircle
