#include "legalcircle/io/graph_cache.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string_view>
#include <type_traits>

#include "legalcircle/core/error.hpp"
#include "legalcircle/io/write_outputs.hpp"

namespace legalcircle {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'L', 'C', 'G', 'R', 'A', 'P', 'H', '1'};
constexpr uint32_t kVersion = 1;  // bump when RoadGraph's arrays or their meaning change

// A fast 64-bit hash of the payload, eight bytes at a time: it detects a damaged file (it is no
// defence against a forged one, and needs not be).
struct Hash {
  uint64_t h = 0x9E3779B97F4A7C15ull;
  void add(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      mix(w);
    }
    uint64_t tail = 0;
    std::memcpy(&tail, p + i, n - i);
    mix(tail ^ (uint64_t(n - i) << 56));
  }
  void mix(uint64_t w) {
    h ^= w * 0x87C37B91114253D5ull;
    h = (h << 31 | h >> 33) * 0x4CF5AD432745937Full;
  }
};

std::string number(double v) {
  char b[40];
  std::snprintf(b, sizeof b, "%.17g", v);
  return b;
}

// Everything build_graph's result depends on besides the file: the profiles' way rules and
// speeds, the GIS field mapping, the modes, the node order.
std::string build_fingerprint(const RoadFieldMapping& m, const Profiles& profiles, const std::vector<Mode>& modes) {
  std::string s;
  // Appended piece by piece (GCC 12's -Wrestrict misfires on "," + name chains).
  auto add = [&s](std::initializer_list<std::string_view> parts) {
    for (std::string_view p : parts) s.append(p);
  };
  add({"v", std::to_string(kVersion), "|modes"});
  for (Mode mode : modes) add({",", mode_name(mode)});
  for (const ModeProfile& p : profiles.modes) {
    add({"|mode=", mode_name(p.mode), ";default=", number(p.default_speed_kmh), ";speeds"});
    for (const auto& [k, v] : p.class_speed_kmh) add({",", k, "=", number(v)});
    add({";allowlist=", std::to_string(p.allowlist), ";excluded"});
    for (const std::string& e : p.excluded_highways) add({",", e});
    add({";with_tag"});
    for (const auto& [cls, kv] : p.allowed_with_tag) {
      add({",", cls, ":", kv.first, "="});
      for (const std::string& v : kv.second) add({v, "/"});
    }
    add({";access"});
    for (const std::string& a : p.access_tags) add({",", a});
    add({";denied"});
    for (const std::string& d : p.denied_access) add({",", d});
    add({";oneway=", std::to_string(p.respect_oneway), ";exception=", p.oneway_exception_tag, ";motorway_oneway=",
         std::to_string(p.motorway_implies_oneway), ";maxspeed=", std::to_string(p.use_maxspeed)});
  }
  add({"|mapping;layer=", m.layer, ";class=", m.class_field, ";oneway=", m.oneway_field, ";speed=", m.speed_field,
       ";name=", m.name_field, ";snap=", number(m.vertex_snap_m), ";encoding=", m.encoding, ";class_map"});
  for (const auto& [k, v] : m.class_map) add({",", k, "=", v});
  add({"|spatial_order"});
  return s;
}

class Writer {
 public:
  template <class T>
  void value(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    raw(&v, sizeof v);
  }
  template <class T>
  void array(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    value(uint64_t(v.size()));
    raw(v.data(), v.size() * sizeof(T));
  }
  void text(const std::string& s) {
    value(uint32_t(s.size()));
    raw(s.data(), s.size());
  }
  void texts(const std::vector<std::string>& v) {
    value(uint64_t(v.size()));
    for (const std::string& s : v) text(s);
  }
  void raw(const void* p, std::size_t n) {
    if (hashing_) hash_.add(p, n);
    out_.append(static_cast<const char*>(p), n);
  }
  void start_payload() { hashing_ = true; }
  std::string finish() {
    hashing_ = false;
    value(hash_.h);
    return std::move(out_);
  }

 private:
  std::string out_;
  Hash hash_;
  bool hashing_ = false;
};

// Reads what Writer wrote, refusing any count the rest of the file cannot hold.
class Reader {
 public:
  Reader(std::FILE* f, uint64_t size) : f_(f), left_(size) {}
  template <class T>
  bool value(T& v) {
    return raw(&v, sizeof v);
  }
  template <class T>
  bool array(std::vector<T>& v) {
    uint64_t n = 0;
    if (!value(n) || n > left_ / sizeof(T)) return false;
    v.resize(n);
    return raw(v.data(), n * sizeof(T));
  }
  bool text(std::string& s) {
    uint32_t n = 0;
    if (!value(n) || n > left_) return false;
    s.resize(n);
    return raw(s.data(), n);
  }
  bool texts(std::vector<std::string>& v) {
    uint64_t n = 0;
    if (!value(n) || n > left_ / sizeof(uint32_t)) return false;
    v.resize(n);
    for (std::string& s : v)
      if (!text(s)) return false;
    return true;
  }
  bool raw(void* p, std::size_t n) {
    if (n > left_ || (n && std::fread(p, 1, n, f_) != n)) return false;
    left_ -= n;
    if (hashing_) hash_.add(p, n);
    return true;
  }
  void start_payload() { hashing_ = true; }
  uint64_t hash() const { return hash_.h; }
  void stop_hashing() { hashing_ = false; }
  uint64_t left() const { return left_; }

 private:
  std::FILE* f_;
  uint64_t left_;
  Hash hash_;
  bool hashing_ = false;
};

void write_stats(Writer& w, const ComponentStats& s) {
  w.value(s.nodes_kept), w.value(s.segments_kept), w.value(s.km_kept), w.value(s.components_total);
  w.value(s.components_dropped), w.value(s.nodes_dropped), w.value(s.segments_dropped), w.value(s.km_dropped);
}
bool read_stats(Reader& r, ComponentStats& s) {
  return r.value(s.nodes_kept) && r.value(s.segments_kept) && r.value(s.km_kept) && r.value(s.components_total) &&
         r.value(s.components_dropped) && r.value(s.nodes_dropped) && r.value(s.segments_dropped) &&
         r.value(s.km_dropped);
}

// The arrays agree in length (a checksum over a consistent lie would still pass this far).
bool consistent(const RoadGraph& g) {
  const std::size_t n = g.coord.size(), a = g.arc_head.size(), s = g.seg_a.size(), w = g.way_id.size();
  if (g.source_node_id.size() != n || g.first_out.size() != n + 1 || g.arc_segment.size() != a || g.seg_b.size() != s ||
      g.seg_length_m.size() != s || g.seg_way.size() != s || g.way_name.size() != w || g.way_class.size() != w)
    return false;
  if (g.first_out.back() != a) return false;
  for (const ModeWeights& m : g.modes)
    if (m.present && (m.arc_time_out.size() != a || m.arc_time_in.size() != a || m.seg_time_ab.size() != s ||
                      m.seg_time_ba.size() != s || m.node_kept.size() != n))
      return false;
  for (uint32_t h : g.arc_head)
    if (h >= n) return false;
  for (uint32_t x : g.arc_segment)
    if (x >= s) return false;
  for (std::size_t i = 0; i < s; ++i)
    if (g.seg_a[i] >= n || g.seg_b[i] >= n || g.seg_way[i] >= w) return false;
  return true;
}

}  // namespace

GraphCacheKey graph_cache_key(const std::string& roads, const RoadFieldMapping& mapping, const Profiles& profiles,
                              const std::vector<Mode>& modes) {
  GraphCacheKey k;
  std::error_code ec;
  k.roads = fs::absolute(roads, ec).lexically_normal().string();
  struct stat st {};
  if (::stat(roads.c_str(), &st) != 0) throw InputError(roads + ": cannot read (" + std::strerror(errno) + ")");
  k.roads_size = uint64_t(st.st_size);
  k.roads_mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  Hash h;
  const std::string f = build_fingerprint(mapping, profiles, modes);
  h.add(f.data(), f.size());
  k.build_hash = h.h;
  for (Mode m : modes) {
    if (!k.modes.empty()) k.modes += ',';
    k.modes += mode_name(m);
  }
  return k;
}

void write_graph_cache(const std::string& path, const GraphCacheKey& key, const RoadGraph& g, const RoadsReadInfo& info) {
  Writer w;
  w.raw(kMagic, sizeof kMagic);
  w.value(kVersion);
  w.text(key.roads);
  w.value(key.roads_size);
  w.value(key.roads_mtime_ns);
  w.value(key.build_hash);
  w.text(key.modes);
  w.start_payload();
  w.text(info.source);
  w.text(info.generator);
  w.texts(info.warnings);
  w.texts(info.notes);
  w.array(g.coord);
  w.array(g.source_node_id);
  w.array(g.first_out);
  w.array(g.arc_head);
  w.array(g.arc_segment);
  w.array(g.seg_a);
  w.array(g.seg_b);
  w.array(g.seg_length_m);
  w.array(g.seg_way);
  w.array(g.way_id);
  w.texts(g.way_name);
  w.texts(g.way_class);
  for (const ModeWeights& m : g.modes) {
    w.value(uint8_t(m.present));
    w.array(m.arc_time_out);
    w.array(m.arc_time_in);
    w.array(m.seg_time_ab);
    w.array(m.seg_time_ba);
    w.array(m.node_kept);
    write_stats(w, m.stats);
  }
  w.value(g.projection.origin());
  write_binary_file(path, w.finish());
}

std::optional<CachedGraph> read_graph_cache(const std::string& path, const GraphCacheKey& key, std::string& why) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    why = "no cache file yet";
    return std::nullopt;
  }
  const uint64_t size = fs::file_size(path, ec);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (ec || !f) {
    why = "cannot be read";
    return std::nullopt;
  }
  Reader r(f.get(), size);
  char magic[8];
  uint32_t version = 0;
  GraphCacheKey k;
  if (!r.raw(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof magic) != 0) {
    why = "not a legalcircle graph cache";
    return std::nullopt;
  }
  if (!r.value(version) || version != kVersion) {
    why = "written by another version of legalcircle (format " + std::to_string(version) + ", this one reads " +
          std::to_string(kVersion) + ")";
    return std::nullopt;
  }
  if (!r.text(k.roads) || !r.value(k.roads_size) || !r.value(k.roads_mtime_ns) || !r.value(k.build_hash) ||
      !r.text(k.modes)) {
    why = "truncated";
    return std::nullopt;
  }
  if (k.roads != key.roads) {
    why = "made from another roads file (" + k.roads + ")";
    return std::nullopt;
  }
  if (k.roads_size != key.roads_size || k.roads_mtime_ns != key.roads_mtime_ns) {
    why = "the roads file changed since it was made (size or modification time)";
    return std::nullopt;
  }
  if (k.build_hash != key.build_hash) {
    why = "made with other profiles, field mapping or modes (it has " + k.modes + ", this run needs " + key.modes + ")";
    return std::nullopt;
  }
  CachedGraph c;
  RoadGraph& g = c.graph;
  RoadsReadInfo& info = c.info;
  r.start_payload();
  bool ok = r.text(info.source) && r.text(info.generator) && r.texts(info.warnings) && r.texts(info.notes) &&
            r.array(g.coord) && r.array(g.source_node_id) && r.array(g.first_out) && r.array(g.arc_head) &&
            r.array(g.arc_segment) && r.array(g.seg_a) && r.array(g.seg_b) && r.array(g.seg_length_m) &&
            r.array(g.seg_way) && r.array(g.way_id) && r.texts(g.way_name) && r.texts(g.way_class);
  for (ModeWeights& m : g.modes) {
    uint8_t present = 0;
    ok = ok && r.value(present) && r.array(m.arc_time_out) && r.array(m.arc_time_in) && r.array(m.seg_time_ab) &&
         r.array(m.seg_time_ba) && r.array(m.node_kept) && read_stats(r, m.stats);
    m.present = present != 0;
  }
  LonLat origin;
  ok = ok && r.value(origin);
  r.stop_hashing();
  const uint64_t computed = r.hash();
  uint64_t stored = 0;
  if (!ok || !r.value(stored) || r.left() != 0) {
    why = "truncated or damaged (its arrays do not fit the file)";
    return std::nullopt;
  }
  if (stored != computed) {
    why = "checksum mismatch: the file is corrupt";
    return std::nullopt;
  }
  if (g.first_out.empty() || !consistent(g)) {
    why = "its arrays disagree in length: the file is corrupt";
    return std::nullopt;
  }
  g.projection = LocalProjection(origin);
  return c;
}

}  // namespace legalcircle
