// placeholder until the CLI lands
console.log('latent-xrd');
