// emcc --js-library of drift_digits_relaxed: declares the placeholder import of gemm_blocked.cpp
// (DRIFT_RELAXED_MADD) so that the link accepts it. relax_madd.mjs replaces the import with
// f32x4.relaxed_madd after linking; the module's loader (module.js) never provides it.
// addToLibrary is the newer Emscripten's name (3.1.69), mergeInto the older one's (3.1.6).
(typeof addToLibrary === 'function' ? addToLibrary : (lib) => mergeInto(LibraryManager.library, lib))({
  f32x4_relaxed_madd: function() { abort('f32x4_relaxed_madd: placeholder left in the module'); },
});
