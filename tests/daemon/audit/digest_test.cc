// Tests for daemon/src/audit/digest.{h,cc}: SHA-256 against the FIPS 180-2 vectors, the
// prefixed forms against the plain one, hex and base64 (RFC 4648 section 10 vectors) both
// ways, and rejection of every non-canonical or malformed input.
#include "audit/digest.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

namespace vigil::audit {
namespace {

TEST(Sha256Test, Fips180Vectors) {
  EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Hex(Sha256(std::string(1'000'000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, RepeatedCallsReuseTheContextCorrectly) {
  // The context is per thread and reused: a second hash must not carry state from the first.
  const Hash a = Sha256("abc");
  Sha256(std::string(5000, 'x'));
  EXPECT_EQ(Sha256("abc"), a);
}

TEST(Sha256Test, PrefixedFormsEqualTheConcatenation) {
  EXPECT_EQ(Sha256(0x00, "record"), Sha256(std::string("\0record", 7)));
  EXPECT_EQ(Sha256(0x01, ""), Sha256(std::string("\x01", 1)));
  const Hash l = Sha256("left"), r = Sha256("right");
  std::string cat(1, '\x01');
  cat += AsBytes(l);
  cat += AsBytes(r);
  EXPECT_EQ(Sha256(0x01, l, r), Sha256(cat));
  EXPECT_NE(Sha256(0x01, l, r), Sha256(0x01, r, l));
}

TEST(HexTest, EncodesLowerCase) {
  EXPECT_EQ(Hex(std::string_view("\x00\xff\x10\xab", 4)), "00ff10ab");
  EXPECT_EQ(Hex(std::string_view()), "");
}

TEST(HexTest, HashRoundTrip) {
  for (std::string_view s : {"", "abc", "vigil"}) {
    const Hash h = Sha256(s);
    auto back = HashFromHex(Hex(h));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, h);
  }
  Hash all{};
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint8_t>(i * 8 + 7);
  EXPECT_EQ(HashFromHex(Hex(all)), all);
}

TEST(HexTest, RejectsNonCanonicalAndMalformed) {
  const std::string good = Hex(Sha256("abc"));
  ASSERT_TRUE(HashFromHex(good));
  std::string upper = good;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_FALSE(HashFromHex(upper));
  std::string one_upper = good;
  one_upper[0] = 'B';  // "ba..." → "Ba..."
  EXPECT_FALSE(HashFromHex(one_upper));
  EXPECT_FALSE(HashFromHex(good.substr(0, 63)));  // odd length
  EXPECT_FALSE(HashFromHex(good.substr(0, 62)));  // even but short
  EXPECT_FALSE(HashFromHex(good + "0"));
  EXPECT_FALSE(HashFromHex(good + "00"));
  EXPECT_FALSE(HashFromHex(""));
  for (char bad : {'g', 'G', ' ', '-', '\0', 'x', ':'}) {
    std::string s = good;
    s[31] = bad;
    EXPECT_FALSE(HashFromHex(s)) << "char " << static_cast<int>(bad);
  }
}

struct B64Vector {
  const char* raw;
  const char* encoded;
};

// RFC 4648, section 10.
constexpr B64Vector kRfc4648[] = {
    {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
};

TEST(Base64Test, Rfc4648VectorsBothWays) {
  for (const auto& v : kRfc4648) {
    EXPECT_EQ(Base64(v.raw), v.encoded) << v.raw;
    auto back = FromBase64(v.encoded);
    ASSERT_TRUE(back.has_value()) << v.encoded;
    EXPECT_EQ(*back, v.raw);
  }
}

TEST(Base64Test, AllByteValuesRoundTrip) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t n = 0; n <= all.size(); n += 37) {
    const std::string s = all.substr(0, n);
    auto back = FromBase64(Base64(s));
    ASSERT_TRUE(back.has_value()) << n;
    EXPECT_EQ(*back, s);
  }
  // The full alphabet appears, '+' and '/' included.
  EXPECT_EQ(Base64(std::string("\xfb\xff\xbf", 3)), "+/+/");
}

TEST(Base64Test, RejectsBadPaddingAndLength) {
  for (const char* bad : {
           "Zg",        // missing padding
           "Zg=",       // length not a multiple of 4
           "Z===",      // padding in the second position
           "====",      // a group of padding only
           "Zm9v====",  // a whole group of padding
           "Zg==Zg==",  // padding before the end
           "Zm=v",      // data after padding
           "Zg=a",      // data after padding
           "Zm9vY",     // stray character
           "=Zm9",      // padding first
       }) {
    EXPECT_FALSE(FromBase64(bad)) << bad;
  }
}

TEST(Base64Test, RejectsCharactersOutsideTheStandardAlphabet) {
  for (const char* bad : {
           "Zm9-",      // URL-safe alphabet
           "Zm9_",      // URL-safe alphabet
           "Zm 9",      // space
           "Zm9v\n",    // newline
           "Zm9v\r\nZm9v",
           "Zm.v",
           "Zm9\x80",
       }) {
    EXPECT_FALSE(FromBase64(bad)) << bad;
  }
  EXPECT_FALSE(FromBase64(std::string_view("Zm\0v", 4)));
}

}  // namespace
}  // namespace vigil::audit
