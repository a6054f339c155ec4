/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef IKE_CRYPTO_VECTORS_H
#define IKE_CRYPTO_VECTORS_H

/*
 * Known-answer vectors for the IKEv2 crypto suite (test_ike_crypto.c),
 * hex strings, each with where it comes from.
 */

#include <stdint.h>

/* RFC 4231 4.2, 4.3 and 4.7 (test cases 1, 2, 6): HMAC-SHA-256/384/512.
 * key: "bb*N" = N octets 0xbb, else ASCII. */
static const struct ike_kat_hmac {
	const char *key, *data;
	const char *sha256, *sha384, *sha512;
} ike_kat_hmac[] = {
	{ "0b*20", "Hi There",
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	  "faea9ea9076ede7f4af152e8b2fa9cb6",
	  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
	{ "Jefe", "what do ya want for nothing?",
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	  "8e2240ca5e69e2c78b3239ecfab21649",
	  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
	{ "aa*131", "Test Using Larger Than Block-Size Key - Hash Key First",
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	  "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
	  "0c2ef6ab4030fe8296248df163f44952",
	  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	  "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
};

/* RFC 5903 8.1, 8.2, 8.3: ECP-256/384/521 (i, g^i = x | y, r, g^r, g^ir x). */
static const struct ike_kat_ecp {
	uint16_t group;
	const char *i, *gi, *r, *gr, *gir;
} ike_kat_ecp[] = {
	{ 19,
	  "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433",
	  "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
	  "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3",
	  "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53",
	  "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63"
	  "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab",
	  "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de" },
	{ 20,
	  "099f3c7034d4a2c699884d73a375a67f7624ef7c6b3c0f160647b67414dce655"
	  "e35b538041e649ee3faef896783ab194",
	  "667842d7d180ac2cde6f74f37551f55755c7645c20ef73e31634fe72b4c55ee6"
	  "de3ac808acb4bdb4c88732aee95f41aa"
	  "9482ed1fc0eeb9cafc4984625ccfc23f65032149e0e144ada024181535a0f38e"
	  "eb9fcff3c2c947dae69b4c634573a81c",
	  "41cb0779b4bdb85d47846725fbec3c9430fab46cc8dc5060855cc9bda0aa2942"
	  "e0308312916b8ed2960e4bd55a7448fc",
	  "e558dbef53eecde3d3fccfc1aea08a89a987475d12fd950d83cfa41732bc509d"
	  "0d1ac43a0336def96fda41d0774a3571"
	  "dcfbec7aacf3196472169e838430367f66eebe3c6e70c416dd5f0c68759dd1ff"
	  "f83fa40142209dff5eaad96db9e6386c",
	  "11187331c279962d93d604243fd592cb9d0a926f422e47187521287e7156c5c4"
	  "d603135569b9e9d09cf5d4a270f59746" },
	{ 21,
	  "0037ade9319a89f4dabdb3ef411aaccca5123c61acab57b5393dce47608172a0"
	  "95aa85a30fe1c2952c6771d937ba9777f5957b2639bab072462f68c27a57382d"
	  "4a52",
	  "0015417e84dbf28c0ad3c278713349dc7df153c897a1891bd98bab4357c9ecbe"
	  "e1e3bf42e00b8e380aeae57c2d107564941885942af5a7f4601723c4195d176c"
	  "ed3e"
	  "017cae20b6641d2eeb695786d8c946146239d099e18e1d5a514c739d7cb4a10a"
	  "d8a788015ac405d7799dc75e7b7d5b6cf2261a6a7f1507438bf01beb6ca3926f"
	  "9582",
	  "0145ba99a847af43793fdd0e872e7cdfa16be30fdc780f97bccc3f078380201e"
	  "9c677d600b343757a3bdbf2a3163e4c2f869cca7458aa4a4effc311f5cb15168"
	  "5eb9",
	  "00d0b3975ac4b799f5bea16d5e13e9af971d5e9b984c9f39728b5e5739735a21"
	  "9b97c356436adc6e95bb0352f6be64a6c2912d4ef2d0433ced2b6171640012d9"
	  "460f"
	  "015c68226383956e3bd066e797b623c27ce0eac2f551a10c2c724d9852077b87"
	  "220b6536c5c408a1d2aebb8e86d678ae49cb57091f4732296579ab44fcd17f0f"
	  "c56a",
	  "01144c7d79ae6956bc8edb8e7c787c4521cb086fa64407f97894e5e6b2d79b04"
	  "d1427e73ca4baa240a34786859810c06b3c715a3a8cc3151f2bee417996d19f3"
	  "ddea" },
};

/* RFC 7748 6.1: X25519 (Alice = i, Bob = r). */
static const struct ike_kat_ecp ike_kat_x25519 = {
	31,
	"77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
	"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
	"5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
	"de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
	"4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
};

/*
 * RFC 7427 appendix A: AlgorithmIdentifier DER of A.1.2 / A.1.3 / A.1.4
 * (sha256/384/512WithRSAEncryption), A.3.2 / A.3.3 / A.3.4
 * (ecdsa-with-sha256/384/512) and A.4.2 (RSASSA-PSS, SHA-256, MGF1
 * SHA-256, salt 32).  The PSS SHA-384/512 forms are not in the appendix;
 * the test checks them against OpenSSL's own "algorithm-id".
 */
#define IKE_KAT_ALGID_RSA256 "300d06092a864886f70d01010b0500"
#define IKE_KAT_ALGID_RSA384 "300d06092a864886f70d01010c0500"
#define IKE_KAT_ALGID_RSA512 "300d06092a864886f70d01010d0500"
#define IKE_KAT_ALGID_ECDSA256 "300a06082a8648ce3d040302"
#define IKE_KAT_ALGID_ECDSA384 "300a06082a8648ce3d040303"
#define IKE_KAT_ALGID_ECDSA512 "300a06082a8648ce3d040304"
#define IKE_KAT_ALGID_PSS256 "304106092a864886f70d01010a3034a00f300d0609608648016503040201" \
	"0500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120"

/*
 * Key derivation (RFC 7296 2.13, 2.14, 2.17, 2.18), computed by an
 * independent implementation, Python's hmac/hashlib; re-run with
 * /usr/bin/python3:
 *
 *   import hmac, hashlib
 *   H = {256: hashlib.sha256, 384: hashlib.sha384, 512: hashlib.sha512}
 *   def prf(h, k, d): return hmac.new(k, d, H[h]).digest()
 *   def prfplus(h, k, s, n):
 *       out, t, i = b"", b"", 1
 *       while len(out) < n:
 *           t = prf(h, k, t + s + bytes([i])); out += t; i += 1
 *       return out[:n]
 *   ni = bytes(range(0x00, 0x20)); nr = bytes(range(0x80, 0xa0))
 *   gir = bytes((i * 7 + 3) & 0xff for i in range(256))
 *   spii = bytes.fromhex("0102030405060708"); spir = bytes.fromhex("1112131415161718")
 *   print(prfplus(512, b"prf+ key", b"seed octets", 200).hex())          # PRFPLUS512
 *   s1 = prf(256, ni + nr, gir); print(s1.hex())                         # SKEYSEED1
 *   print(prfplus(256, s1, ni + nr + spii + spir, 3*32 + 2*32 + 2*16).hex())  # KEYMAT1
 *   s2 = prf(384, ni + nr, gir); print(s2.hex())                         # SKEYSEED2
 *   km2 = prfplus(384, s2, ni + nr + spii + spir, 3*48 + 2*36); print(km2.hex())  # KEYMAT2
 *   skd1 = prfplus(256, s1, ni + nr + spii + spir, 32)
 *   gir2 = gir[::-1][:32]; ni2 = ni[::-1]; nr2 = nr[::-1]
 *   print(prf(256, skd1, gir2 + ni2 + nr2).hex())                        # REKEY
 *   print(prfplus(256, skd1, gir2 + ni + nr, 2*(32+32)).hex())           # CHILD_PFS
 *   print(prfplus(384, km2[:48], ni + nr, 2*20).hex())                   # CHILD_GCM
 *
 * Suite 1: AES-CBC-128, HMAC-SHA2-256-128, PRF-HMAC-SHA2-256.
 * Suite 2: AES-GCM-16-256, PRF-HMAC-SHA2-384.
 * CHILD_PFS: ESP aes256-sha256 with g^ir (new) = gir2; CHILD_GCM: ESP
 * aes128gcm16 without PFS.
 */
#define IKE_KAT_PRFPLUS512 \
	"f110cf1b96b39c3c3a991ba44661e74adca3fd4fd8cff275f3ada426a4c81459" \
	"4722d0fdcab9b9aeed1afca778f265e47cb396d5a6391ad24090460feeba900b" \
	"a3744f26777a904af4a8a9b4a2fc07f25b5d6fce3d3394144119a9e74836cccf" \
	"ed33b29d4d3ca0d8f4a83ae9ae594fe70f7e7ebd4864e5e7ebf31e0b66f9855a" \
	"93dec7b664bc4ed69e29d801c78386ac8ad6674c4d8e9d6c92fb2cecd41f8b06" \
	"672e120da600acd6dd43e54b354f585bee9fb46bd61e675c1c1b117a9198ca92" \
	"71ac848c118b7b08"
#define IKE_KAT_SKEYSEED1 "74d8ab4691fac2633887efc8a4fa37d6c2666f9270eadf0b46ff6b7b183d10a8"
#define IKE_KAT_KEYMAT1 \
	"c6bfe6d4b5a8694c41341b3b6e1d3a87a1e55b265fa9aab5fd68b79c80143c80" \
	"3b08c44e64d2d798e2086fb332b97c99e1f0143266bbed641b3984a7d9bb0293" \
	"4739f1d2666ae5b562b331ed1b50ae7161bc33c4f3152f6499d47bce7f441b65" \
	"ad2dd2b0c559b09816531308296059a66626528dd23babfe2d38cb2e6b1c9128" \
	"a6bfaf3e8b0dfeccdd73981192172cbc9f61cd6204b32bf0c84f4ff905c196c5" \
	"8b5c37f044e54cb5015bfff18f841db1bf8fa10792bdf1c84754f98812a6339e"
#define IKE_KAT_SKEYSEED2 \
	"cf0ed105e8e447ae5c1c70a60c7840c2723d5018ef517476d5078270c6543272" \
	"fb232c3a5ae44f46fda669140efdd6b1"
#define IKE_KAT_KEYMAT2 \
	"31c4e0c779d911e80655526192b26d4a54b182546a5398f6f350bd030f8dcca9" \
	"243da8cc39d2b666473a308fc6f48ac8d65de4d78362f57d232f0c9a1cbfa93b" \
	"29ccff81702718f93e051c49b36a52f9ab4257b3f0406125504625cfd4e7ac81" \
	"dd389748d4ebaa5484c18dd7c7691520e618bebd59edfaf454db0be751a87503" \
	"59e63455786d90161e9b055d03bd80b4dab1efb6cc7a9830ec9577dc1c7680f2" \
	"ec271acd35919001f689c22467670e1ff8d3c3005775178715650c81a64876c4" \
	"1726e16b6df6e680f80e86d981ebeb00c43659b442c7622b"
#define IKE_KAT_REKEY "df5169334e3275bfaac02f59dd16b2ffa7e057eaed7deb696c6757a9da4ae0a7"
#define IKE_KAT_CHILD_PFS \
	"3a061d9e0f28eed178a9325eb085772dadfbe4fb8dd8a728518eabe2ad1af3c1" \
	"9aa80dd83c2ca779b2adfb440d66c33565df6d6a59db0bcd37ad6dcde7dac95a" \
	"380abdebcfcccd1f2930a586a9ab1114913e7533404c7beb6ce2c5877a985975" \
	"eaafaf94773c94335e11d40ac2d25bd8de947ffc14b858c4b16ae419e0082673"
#define IKE_KAT_CHILD_GCM \
	"98f678319b664f1bf8d96e67fe08e0408f41309676775c67f9c307c5c04b77c5" \
	"4ec39d8d864fb5b6"

#endif /* IKE_CRYPTO_VECTORS_H */
