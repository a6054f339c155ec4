/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_ESP_VECTORS_H
#define GW_ESP_VECTORS_H

/*
 * Known-answer vectors for test_esp_crypto.c, in hex, each with its source.
 * GCM: McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)",
 * Appendix B (the vectors RFC 4106 relies on).  The 12-byte IV splits as
 * RFC 4106 does: 4-byte salt (appended to the key, as ip xfrm takes it)
 * and 8-byte explicit IV.
 */
struct esp_kat_gcm {
	const char *src;
	const char *key, *iv, *aad, *pt, *ct, *tag;
};

#define MV_K128 "feffe9928665731c6d6a8f9467308308"
#define MV_P64 "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
	"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
#define MV_P60 "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
	"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
#define MV_IV "cafebabefacedbaddecaf888"
#define MV_AAD "feedfacedeadbeeffeedfacedeadbeefabaddad2"

static const struct esp_kat_gcm esp_kat_gcm[] = {
	{ "McGrew-Viega test case 2 (AES-128)", "00000000000000000000000000000000",
	  "000000000000000000000000", "", "00000000000000000000000000000000",
	  "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf" },
	{ "McGrew-Viega test case 3 (AES-128)", MV_K128, MV_IV, "", MV_P64,
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
	  "4d5c2af327cd64a62cf35abd2ba6fab4" },
	{ "McGrew-Viega test case 4 (AES-128, AAD)", MV_K128, MV_IV, MV_AAD, MV_P60,
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
	  "5bc94fbc3221a5db94fae95ae7121a47" },
	{ "McGrew-Viega test case 9 (AES-192)", MV_K128 "feffe9928665731c", MV_IV, "", MV_P64,
	  "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c"
	  "7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710acade256",
	  "9924a7c8587336bfb118024db8674a14" },
	{ "McGrew-Viega test case 10 (AES-192, AAD)", MV_K128 "feffe9928665731c", MV_IV, MV_AAD,
	  MV_P60,
	  "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c"
	  "7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710",
	  "2519498e80f1478f37ba55bd6d27618c" },
	{ "McGrew-Viega test case 15 (AES-256)", MV_K128 MV_K128, MV_IV, "", MV_P64,
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
	  "b094dac5d93471bdec1a502270e3cc6c" },
	{ "McGrew-Viega test case 16 (AES-256, AAD)", MV_K128 MV_K128, MV_IV, MV_AAD, MV_P60,
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
};

/* AES-CBC: RFC 3602 section 4 (AES-128); NIST SP 800-38A F.2.5 (AES-256). */
struct esp_kat_cbc {
	const char *src;
	const char *key, *iv, *pt, *ct;
};

static const struct esp_kat_cbc esp_kat_cbc[] = {
	{ "RFC 3602 case #1", "06a9214036b8a15b512e03d534120006", "3dafba429d9eb430b422da802c9fac41",
	  "53696e676c6520626c6f636b206d7367", "e353779c1079aeb82708942dbe77181a" },
	{ "RFC 3602 case #2", "c286696d887c9aa0611bbb3e2025a45a", "562e17996d093d28ddb3ba695a2e6f58",
	  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	  "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1" },
	{ "RFC 3602 case #3", "6c3ea0477630ce21a2ce334aa746c2cd", "c782dc4c098c66cbd9cd27d825682c81",
	  "5468697320697320612034382d62797465206d657373616765202865786163746c7920332041455320626c6f636b7329",
	  "d0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5"
	  "021c19216bad525c8579695d83ba2684" },
	{ "RFC 3602 case #4", "56e47a38c5598974bc46903dba290349", "8ce82eefbea0da3c44699ed7db51b7d9",
	  "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	  "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf",
	  "c30e32ffedc0774e6aff6af0869f71aa0f3af07a9a31a9c684db207eb0ef8e4e"
	  "35907aa632c3ffdf868bb7b29d3d46ad83ce9f9a102ee99d49a53e87f4c3da55" },
	{ "NIST SP 800-38A F.2.5 (CBC-AES256)",
	  "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
	  "000102030405060708090a0b0c0d0e0f",
	  "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
	  "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
	  "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
	  "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b" },
};

/*
 * HMAC: full-length MACs from RFC 2202 (SHA-1) and RFC 4231 (SHA-2), and
 * RFC 4868 2.7.2.1 (key of the ESP length); the test truncates them to
 * the ESP ICV as RFC 2404 and RFC 4868 say (96/128/192/256 bits).  Data
 * and keys are ASCII, except that a key "aa*N" is N bytes 0xaa.
 */
struct esp_kat_hmac {
	const char *src;
	int integ;	/* enum esp_integ */
	const char *key, *data, *mac;
};

#define KAT_HT "Hi There"
#define KAT_JEFE_DATA "what do ya want for nothing?"
#define KAT_LONG "Test Using Larger Than Block-Size Key - Hash Key First"

static const struct esp_kat_hmac esp_kat_hmac[] = {
	{ "RFC 2202 test case 1", ESP_INTEG_SHA1, "0b*20", KAT_HT,
	  "b617318655057264e28bc0b6fb378c8ef146be00" },
	{ "RFC 2202 test case 2", ESP_INTEG_SHA1, "Jefe", KAT_JEFE_DATA,
	  "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
	{ "RFC 2202 test case 6", ESP_INTEG_SHA1, "aa*80", KAT_LONG,
	  "aa4ae5e15272d00e95705637ce8a3b55ed402112" },
	{ "RFC 4231 test case 1", ESP_INTEG_SHA256, "0b*20", KAT_HT,
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
	{ "RFC 4231 test case 2", ESP_INTEG_SHA256, "Jefe", KAT_JEFE_DATA,
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
	{ "RFC 4231 test case 6", ESP_INTEG_SHA256, "aa*131", KAT_LONG,
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
	{ "RFC 4868 2.7.2.1 test case AUTH256-1", ESP_INTEG_SHA256, "0b*32", KAT_HT,
	  "198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7" },
	{ "RFC 4231 test case 1", ESP_INTEG_SHA384, "0b*20", KAT_HT,
	  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	  "faea9ea9076ede7f4af152e8b2fa9cb6" },
	{ "RFC 4231 test case 2", ESP_INTEG_SHA384, "Jefe", KAT_JEFE_DATA,
	  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	  "8e2240ca5e69e2c78b3239ecfab21649" },
	{ "RFC 4231 test case 6", ESP_INTEG_SHA384, "aa*131", KAT_LONG,
	  "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
	  "0c2ef6ab4030fe8296248df163f44952" },
	{ "RFC 4231 test case 1", ESP_INTEG_SHA512, "0b*20", KAT_HT,
	  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
	{ "RFC 4231 test case 2", ESP_INTEG_SHA512, "Jefe", KAT_JEFE_DATA,
	  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
	{ "RFC 4231 test case 6", ESP_INTEG_SHA512, "aa*131", KAT_LONG,
	  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	  "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
};

#endif /* GW_ESP_VECTORS_H */
