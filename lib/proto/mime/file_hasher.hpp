// Digests of a file as it is decoded (md5, sha1, sha256: those configured in
// output.files.hashes), computed incrementally with OpenSSL's libcrypto. Its low-level contexts
// are plain structs kept in this object, so hashing a file allocates nothing (EVP allocates a
// provider context at every init, which would be once per attachment on the worker); they run the
// same assembly, SHA-NI included. A file whose bytes were not all seen (a gap, an overlong line
// whose middle did not reach the parser) gets no digest: a wrong hash is worse than none.
#pragma once

#include <cstddef>
#include <cstdint>

namespace postern::proto {

enum FileHash : uint8_t { kMd5 = 1, kSha1 = 2, kSha256 = 4 };
// Which files are offered for extraction (output.files.store.kinds).
enum FileStoreKind : uint8_t { kStoreAttachments = 1, kStoreMessages = 2 };

struct FileDigests {
    uint8_t present = 0;  // FileHash bits
    uint8_t md5[16] = {};
    uint8_t sha1[20] = {};
    uint8_t sha256[32] = {};
};

// Lower-case hex of a digest: 2 * n characters into `out`.
void digest_hex(const uint8_t *digest, size_t n, char *out);

class FileHasher {
public:
    explicit FileHasher(uint8_t hashes = 0) : hashes_(hashes) {}

    bool enabled() const { return hashes_ != 0; }
    bool active() const { return active_; }  // begun, with hashes to compute, and not spoiled
    void begin();
    void update(const void *data, size_t n) {
        if (active_ && n != 0) hash(data, n);  // inline: most bytes are of files not hashed
    }
    void spoil() { active_ = false; }  // bytes of the file were not seen
    // The digests of what was fed since begin(), or none when it was spoiled or never begun.
    FileDigests finish();

private:
    void hash(const void *data, size_t n);

    uint8_t hashes_;
    bool active_ = false;
    // MD5_CTX, SHA_CTX and SHA256_CTX (92, 96 and 112 bytes in OpenSSL 3; checked in the .cpp).
    alignas(8) unsigned char md5_[96];
    alignas(8) unsigned char sha1_[96];
    alignas(8) unsigned char sha256_[112];
};

}  // namespace postern::proto
