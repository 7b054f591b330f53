/**
 * The environment (`docker image inspect … Config.Env`) of real GPU images, rebuilt from the
 * Dockerfiles that make them (or, for NGC, whose Dockerfiles are not public, from a listing of a
 * running container). Every image built FROM one of these inherits exactly this environment.
 */

const UBUNTU_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const BRANDS = ['tesla', 'unknown', 'nvidia', 'nvidiartx', 'geforce', 'geforcertx', 'quadro', 'quadrortx', 'titan', 'titanrtx'];
/** `brand=tesla,driver>=470,driver<471 brand=unknown,driver>=470,driver<471 …`, as NVIDIA's Dockerfiles spell it for every brand. */
const allBrands = (driver: number) => BRANDS.map((brand) => `brand=${brand},driver>=${driver},driver<${driver + 1}`).join(' ');

/** The ENV every nvidia/cuda `base` image sets (amd64), for its CUDA, cudart and NVIDIA_REQUIRE_CUDA. */
function cudaBase(cuda: string, requireCuda: string, cudart: string, compat: string): Record<string, string> {
  return {
    PATH: `/usr/local/nvidia/bin:/usr/local/cuda/bin:${UBUNTU_PATH}`,
    NVARCH: 'x86_64',
    NVIDIA_REQUIRE_CUDA: requireCuda,
    NV_CUDA_CUDART_VERSION: cudart,
    NV_CUDA_COMPAT_PACKAGE: compat,
    CUDA_VERSION: cuda,
    LD_LIBRARY_PATH: '/usr/local/nvidia/lib:/usr/local/nvidia/lib64',
    NVIDIA_VISIBLE_DEVICES: 'all',
    NVIDIA_DRIVER_CAPABILITIES: 'compute,utility',
  };
}

/**
 * nvidia/cuda:11.8.0-runtime-ubuntu22.04: NVIDIA's dist/11.8.0/ubuntu2204/base/Dockerfile and
 * runtime/Dockerfile (gitlab.com/nvidia/container-images/cuda, mirrored in GitHub
 * taehun-kmu/FMCL-Docker@098adf05 and wimjan123/cuda11.7-gptj-training@00eaba2b).
 */
export const NVIDIA_CUDA_11_8_RUNTIME: Readonly<Record<string, string>> = {
  ...cudaBase('11.8.0', `cuda>=11.8 brand=tesla,driver>=450,driver<451 ${allBrands(470)}`, '11.8.89-1', 'cuda-compat-11-8'),
  NV_CUDA_LIB_VERSION: '11.8.0-1',
  NV_NVTX_VERSION: '11.8.86-1',
  NV_LIBNPP_VERSION: '11.8.0.86-1',
  NV_LIBNPP_PACKAGE: 'libnpp-11-8=11.8.0.86-1',
  NV_LIBCUSPARSE_VERSION: '11.7.5.86-1',
  NV_LIBCUBLAS_PACKAGE_NAME: 'libcublas-11-8',
  NV_LIBCUBLAS_VERSION: '11.11.3.6-1',
  NV_LIBCUBLAS_PACKAGE: 'libcublas-11-8=11.11.3.6-1',
};

/** nvidia/cuda:12.1.0-runtime-ubuntu22.04: dist/12.1.0/ubuntu2204/{base,runtime}/Dockerfile (taehun-kmu/FMCL-Docker@098adf05, @627c8977). */
export const NVIDIA_CUDA_12_1_RUNTIME: Readonly<Record<string, string>> = {
  ...cudaBase('12.1.0', `cuda>=12.1 brand=tesla,driver>=450,driver<451 ${allBrands(470)} ${allBrands(525)}`, '12.1.55-1', 'cuda-compat-12-1'),
  NV_CUDA_LIB_VERSION: '12.1.0-1',
  NV_NVTX_VERSION: '12.1.66-1',
  NV_LIBNPP_VERSION: '12.0.2.50-1',
  NV_LIBNPP_PACKAGE: 'libnpp-12-1=12.0.2.50-1',
  NV_LIBCUSPARSE_VERSION: '12.0.2.55-1',
  NV_LIBCUBLAS_PACKAGE_NAME: 'libcublas-12-1',
  NV_LIBCUBLAS_VERSION: '12.1.0.26-1',
  NV_LIBCUBLAS_PACKAGE: 'libcublas-12-1=12.1.0.26-1',
  NV_LIBNCCL_PACKAGE_NAME: 'libnccl2',
  NV_LIBNCCL_PACKAGE_VERSION: '2.17.1-1',
  NCCL_VERSION: '2.17.1-1',
  NV_LIBNCCL_PACKAGE: 'libnccl2=2.17.1-1+cuda12.1',
  NVIDIA_PRODUCT_NAME: 'CUDA',
  NVIDIA_CUDA_END_OF_LIFE: '1',
};

/** nvidia/cuda:12.4.1-base-ubuntu22.04: dist/12.4.1/ubuntu2204/base/Dockerfile (taehun-kmu/FMCL-Docker@53a6a109). */
export const NVIDIA_CUDA_12_4_BASE: Readonly<Record<string, string>> = cudaBase(
  '12.4.1',
  `cuda>=12.4 ${allBrands(470)} ${allBrands(525)} ${allBrands(535)}`,
  '12.4.127-1',
  'cuda-compat-12-4',
);

/** nvidia/cuda:12.4.1-runtime-ubuntu22.04: the base above plus dist/12.4.1/ubuntu2204/runtime/Dockerfile (same mirror). */
export const NVIDIA_CUDA_12_4_RUNTIME: Readonly<Record<string, string>> = {
  ...NVIDIA_CUDA_12_4_BASE,
  NV_CUDA_LIB_VERSION: '12.4.1-1',
  NV_NVTX_VERSION: '12.4.127-1',
  NV_LIBNPP_VERSION: '12.2.5.30-1',
  NV_LIBNPP_PACKAGE: 'libnpp-12-4=12.2.5.30-1',
  NV_LIBCUSPARSE_VERSION: '12.3.1.170-1',
  NV_LIBCUBLAS_PACKAGE_NAME: 'libcublas-12-4',
  NV_LIBCUBLAS_VERSION: '12.4.5.8-1',
  NV_LIBCUBLAS_PACKAGE: 'libcublas-12-4=12.4.5.8-1',
  NV_LIBNCCL_PACKAGE_NAME: 'libnccl2',
  NV_LIBNCCL_PACKAGE_VERSION: '2.21.5-1',
  NCCL_VERSION: '2.21.5-1',
  NV_LIBNCCL_PACKAGE: 'libnccl2=2.21.5-1+cuda12.4',
  NVIDIA_PRODUCT_NAME: 'CUDA',
};

/**
 * vllm/vllm-openai (v0.5.x–0.6.x): vllm-project/vllm's Dockerfile@01da4491, whose `vllm-openai`
 * stage is built FROM nvidia/cuda:12.4.1-base-ubuntu22.04 and adds one ENV.
 */
export const VLLM_OPENAI: Readonly<Record<string, string>> = { ...NVIDIA_CUDA_12_4_BASE, VLLM_USAGE_SOURCE: 'production-docker-image' };

/**
 * nvcr.io/nvidia/pytorch:23.10-py3 (NGC): the environment a running container listed (vLLM's
 * collect_env) in the public write-up "Llama3.1-405B-Fp8 Inference Performance Comparison between
 * 8xH100SXM5 and 8xMi300x". Note NVIDIA_REQUIRE_CUDA is only a floor (cuda>=9.0) there.
 */
export const NGC_PYTORCH_23_10: Readonly<Record<string, string>> = {
  NVIDIA_VISIBLE_DEVICES: 'all',
  CUBLAS_VERSION: '12.2.5.6',
  NVIDIA_REQUIRE_CUDA: 'cuda>=9.0',
  CUDA_CACHE_DISABLE: '1',
  TORCH_CUDA_ARCH_LIST: '5.2 6.0 6.1 7.0 7.2 7.5 8.0 8.6 8.7 9.0+PTX',
  NCCL_VERSION: '2.19.3',
  NVIDIA_DRIVER_CAPABILITIES: 'compute,utility,video',
  NVIDIA_PRODUCT_NAME: 'PyTorch',
  CUDA_VERSION: '12.2.2.009',
  PYTORCH_VERSION: '2.1.0a0+32f93b1',
  PYTORCH_BUILD_NUMBER: '0',
  CUDNN_VERSION: '8.9.5.29',
  PYTORCH_HOME: '/opt/pytorch/pytorch',
  NVIDIA_BUILD_ID: '71422337',
  CUDA_DRIVER_VERSION: '535.104.05',
  PYTORCH_BUILD_VERSION: '2.1.0a0+32f93b1',
  CUDA_HOME: '/usr/local/cuda',
  CUDA_MODULE_LOADING: 'LAZY',
  NVIDIA_REQUIRE_JETPACK_HOST_MOUNTS: '',
  NVIDIA_PYTORCH_VERSION: '23.10',
  TORCH_ALLOW_TF32_CUBLAS_OVERRIDE: '1',
};

/**
 * pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime: the `official` stage of pytorch/pytorch's
 * Dockerfile@01343dcd, built FROM plain ubuntu:22.04 with CUDA in the conda wheels: it sets
 * NVIDIA_VISIBLE_DEVICES but no CUDA variable at all.
 */
export const PYTORCH_RUNTIME: Readonly<Record<string, string>> = {
  PATH: `/usr/local/nvidia/bin:/usr/local/cuda/bin:/opt/conda/bin:${UBUNTU_PATH}`,
  NVIDIA_VISIBLE_DEVICES: 'all',
  NVIDIA_DRIVER_CAPABILITIES: 'compute,utility',
  LD_LIBRARY_PATH: '/usr/local/nvidia/lib:/usr/local/nvidia/lib64',
  PYTORCH_VERSION: '2.3.1',
};

/** python:3.11-slim (docker-library/python's 3.11/slim-bookworm Dockerfile: `ENV PATH /usr/local/bin:$PATH`, LANG, GPG_KEY, PYTHON_VERSION): a CPU image. */
export const PYTHON_SLIM: Readonly<Record<string, string>> = {
  PATH: `/usr/local/bin:${UBUNTU_PATH}`,
  LANG: 'C.UTF-8',
  GPG_KEY: 'A035C8C19219BA821ECEA86B64E628F8D684696D',
  PYTHON_VERSION: '3.11.9',
};
