{
  # Sources are listed by pattern so that each kernel module adds its own files:
  #   native/*.cc            portable code, built with the baseline flags
  #   native/*_avx2.cc       built with -mavx2 -mfma      (x86-64 only)
  #   native/*_avx512.cc     built with -mavx512f/bw/dq/vl (x86-64 only)
  # The ISA-specific objects are only called after a run-time CPU check
  # (native/cpu_features.cc), so the shipped binary runs on any x86-64.
  # native/glibc_compat.h is force-included everywhere (glibc 2.28 floor for prebuilds).
  "variables": {
    "list_sources": "node -e \"const f=require('fs').readdirSync('native').filter(n=>/\\.cc$/.test(n));const s=process.argv[1];console.log(f.filter(n=>s==='base'?!/_(avx2|avx512)\\.cc$/.test(n):n.endsWith('_'+s+'.cc')).map(n=>'native/'+n).join(' '))\""
  },
  "targets": [
    {
      "target_name": "spreadvec",
      "sources": ["<!@(<(list_sources) base)"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++1y", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-include", "<(module_root_dir)/native/glibc_compat.h"],
      "libraries": ["-lpthread"],
      "conditions": [
        ["target_arch=='x64'", { "dependencies": ["kernels_avx2", "kernels_avx512"] }]
      ],
      "xcode_settings": { "GCC_ENABLE_CPP_EXCEPTIONS": "YES", "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3"] }
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "kernels_avx2",
          "type": "static_library",
          "sources": ["<!@(<(list_sources) avx2)"],
          "cflags_cc!": ["-std=gnu++1y", "-std=gnu++17"],
          "cflags_cc": ["-std=c++17", "-O3", "-mavx2", "-mfma", "-fPIC", "-include", "<(module_root_dir)/native/glibc_compat.h"]
        },
        {
          "target_name": "kernels_avx512",
          "type": "static_library",
          "sources": ["<!@(<(list_sources) avx512)"],
          "cflags_cc!": ["-std=gnu++1y", "-std=gnu++17"],
          "cflags_cc": ["-std=c++17", "-O3", "-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl", "-mavx2", "-mfma", "-fPIC", "-include", "<(module_root_dir)/native/glibc_compat.h"]
        }
      ]
    }]
  ]
}
