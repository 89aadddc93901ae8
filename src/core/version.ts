/** The software version recorded in every file Latent XRD writes (set from package.json at build time). */
declare const __LATENT_XRD_VERSION__: string | undefined;
export const SOFTWARE_VERSION: string = typeof __LATENT_XRD_VERSION__ === 'string' ? __LATENT_XRD_VERSION__ : '0.0.0-dev';
